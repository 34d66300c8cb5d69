"""Drivers: what sfnc does to a real AWS account (deploy, destroy, status).

The compiler proper (``sfnc.api``) is pure; everything that talks to AWS or
draws on the terminal lives here, imported only by the commands that need it.
"""
