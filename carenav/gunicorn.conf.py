"""gunicorn settings: `gunicorn -c carenav/gunicorn.conf.py carenav.wsgi`.

Each value can be changed with the environment variable named beside it. The app
server sits behind a reverse proxy or load balancer that terminates TLS and buffers
slow clients (see README, Production), so plain sync workers are the right kind.
"""

import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
# Sync workers: CareNav's requests are short and database-bound. Two per core plus
# one keeps both cores busy while some workers wait on PostgreSQL. Each worker keeps
# its own pool of database connections (DJANGO_DB_POOL_MIN_SIZE/MAX_SIZE; a sync
# worker uses one at a time): size PostgreSQL's max_connections as README, Production
# says.
workers = int(os.environ.get("GUNICORN_WORKERS", multiprocessing.cpu_count() * 2 + 1))
# GUNICORN_THREADS > 1 switches to threaded workers, for a server without a buffering
# proxy in front (each busy thread then takes a connection from the worker's pool:
# keep DJANGO_DB_POOL_MAX_SIZE at least GUNICORN_THREADS).
threads = int(os.environ.get("GUNICORN_THREADS", "1"))
worker_class = "gthread" if threads > 1 else "sync"
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = 30
# Used by threaded workers only; sync workers close each connection after a response.
keepalive = 5
# Load Django once in the master and fork the workers from it: they start faster
# (also when max_requests replaces one) and share the imported code's memory. No
# database or Redis connection is opened at import time, so nothing is shared
# between workers.
preload_app = True
# Recycle workers now and then so a slow leak can never build up.
max_requests = 5000
max_requests_jitter = 500
# The workers' heartbeat files live in memory: a slow or full disk must not make the
# master think a worker hangs. Nothing else is written to the app server's disk.
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None  # nosec B108
# Only the proxy in front may say which client and scheme a request came from.
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1")
# Headers and request lines no browser needs are refused before Django sees them.
limit_request_line = 8190
limit_request_fields = 100
proc_name = "carenav"
# No control socket (gunicorn 25+ opens one in the home directory by default): the
# process manager starts, reloads (HUP) and stops gunicorn, and two instances on one
# host would otherwise fight over the same socket path.
control_socket_disable = True
# Access logs are off by default: paths can hold referral response tokens, and
# the reverse proxy keeps its own log. Errors still go to stderr.
accesslog = "-" if os.environ.get("GUNICORN_ACCESS_LOG") == "1" else None
access_log_format = '%(h)s "%(m)s %(U)s" %(s)s %(b)s %(M)sms'
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
