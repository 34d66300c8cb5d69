"""Gunicorn settings, read from the environment so one image fits every host.

Gunicorn loads ./gunicorn.conf.py by itself, so running ``gunicorn
'flaskapp:create_app()'`` from this folder picks these up.
"""

import os

# Containers must accept connections from outside their own network namespace.
_host = os.environ.get("HOST", "0.0.0.0")  # nosec B104  # noqa: S104
bind = f"{_host}:{os.environ.get('PORT', '8080')}"
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
threads = int(os.environ.get("GUNICORN_THREADS", "2"))
timeout = 30
graceful_timeout = 10
# Logs go to the container's stdout/stderr, where docker and CloudWatch pick them up.
accesslog = "-"
errorlog = "-"
loglevel = os.environ.get("LOG_LEVEL", "info")
# The worker heartbeat file lives on tmpfs: an overlay filesystem can stall it
# long enough for the arbiter to kill healthy workers. Nothing else is written there.
_TMPFS = "/dev/shm"  # nosec B108  # noqa: S108
if os.path.isdir(_TMPFS):
    worker_tmp_dir = _TMPFS
