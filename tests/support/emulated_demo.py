"""`make demo`'s last step: deploy a pipeline to a local AWS emulator, never to AWS.

Starts moto's server on a free loopback port, runs `sfnc deploy` and `sfnc
status` against it as a user would (dummy credentials, --endpoint-url, --yes),
and stops the server whatever happens, Ctrl-C included.

    python -m tests.support.emulated_demo pipelines/flask-webapp.yaml --stack-name flask-webapp-demo
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

_REPO_ROOT = Path(__file__).resolve().parents[2]
if str(_REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(_REPO_ROOT))

from tests.support.moto_server import MotoServer, aws_environment  # noqa: E402

CONNECTION = "arn:aws:codeconnections:us-east-1:123456789012:connection/demo"
RULE = "=" * 78


def emulator_env(endpoint: str) -> dict[str, str]:
    """This process's environment without any real AWS settings, plus dummy credentials."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(aws_environment(endpoint))
    del env["AWS_ENDPOINT_URL"]  # sfnc gets --endpoint-url, as a user would pass it
    return env


def sfnc(*args: str, env: dict[str, str]) -> int:
    print(f"\n$ sfnc {' '.join(args)}", flush=True)
    return subprocess.run([sys.executable, "-m", "sfnc", *args], env=env, check=False).returncode


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("pipeline", nargs="?", default="pipelines/flask-webapp.yaml")
    parser.add_argument("--stack-name", default="flask-webapp-demo")
    args = parser.parse_args(argv)

    server = MotoServer()
    try:
        server.start()
        # moto reads a path-style TemplateURL only when it says "localhost" (docs/deploy.md).
        endpoint = server.endpoint_url.replace("127.0.0.1", "localhost")
        print(f"{RULE}\nEMULATED AWS: a moto server on {endpoint}, with dummy credentials.\n"
              f"Nothing in this demo reaches a real AWS account.\n{RULE}", flush=True)
        env = emulator_env(endpoint)
        code = sfnc("deploy", args.pipeline, "--stack-name", args.stack_name,
                    "--endpoint-url", endpoint, "--parameter",
                    f"GitHubConnectionArn={CONNECTION}", "--yes", env=env)
        if code == 0:
            code = sfnc("status", "--stack-name", args.stack_name, "--endpoint-url", endpoint,
                        env=env)
        return code
    except KeyboardInterrupt:
        return 130
    finally:
        server.stop()
        print(f"{RULE}\nEMULATED AWS: the moto server is stopped; everything it held is gone."
              f"\n{RULE}", flush=True)


if __name__ == "__main__":
    sys.exit(main())
