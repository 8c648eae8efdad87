"""gunicorn's settings: ``gunicorn project.wsgi`` run from the project root reads this file.

Each value can be overridden on the command line or through the environment variables read
here. Put a reverse proxy (TLS, request buffering) in front for a public site.
"""

import os

bind = os.environ.get("BIND", "127.0.0.1:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
# Threaded workers keep HTTP/1.1 connections alive between requests and serve a few at
# once; gunicorn's default (sync) worker closes the connection after every response, and
# each new connection costs the server more CPU than building a page of the API.
worker_class = "gthread"
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
keepalive = 5
