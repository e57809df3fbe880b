"""The load test's settings and data set: production settings for gunicorn and
this process, the bench database (built once, from nothing), and Django set up
against it."""

import os
import subprocess
import sys
import time
from pathlib import Path

from bench.scenarios import SERVICES

BASE_DIR = Path(__file__).resolve().parent.parent


PYTHON = sys.executable


DEFAULT_DB = "postgres://postgres@127.0.0.1:5432/carenav_bench"


DEFAULT_REDIS = "redis://127.0.0.1:6379/9"


def server_env(args, secret_key: str) -> dict[str, str]:
    """The production settings, for gunicorn and for this process's test client."""
    env = {
        **os.environ,
        "DATABASE_URL": args.database_url,
        "REDIS_URL": args.redis_url,
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": secret_key,
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,testserver",
        # Plain HTTP on the loopback interface: no TLS proxy in front.
        "DJANGO_SECURE_SSL_REDIRECT": "0",
        "DJANGO_PLAIN_STATIC": "0",
        "DJANGO_EMAIL_BACKEND": "django.core.mail.backends.dummy.EmailBackend",
        "CARENAV_BENCH": "1",
        "GUNICORN_BIND": f"127.0.0.1:{args.port}",
        "GUNICORN_ACCESS_LOG": "0",
        "GUNICORN_LOG_LEVEL": "warning",
        "SITE_URL": f"http://127.0.0.1:{args.port}",
    }
    if args.workers:
        env["GUNICORN_WORKERS"] = str(args.workers)
    if args.replica:
        # The same database as replica: exercises the router under load.
        env["DATABASE_REPLICA_URL"] = args.database_url
    for name in ("DJANGO_STATEMENT_TIMEOUT_MS", "PUBLIC_PAGE_CACHE_SECONDS"):
        env.pop(name, None)
    if args.no_page_cache:
        env["PUBLIC_PAGE_CACHE_SECONDS"] = "0"
    return env


def check_redis(url: str) -> None:
    import redis

    try:
        redis.Redis.from_url(url, socket_connect_timeout=3).ping()
    except redis.RedisError as error:
        raise SystemExit(
            f"Redis is needed at {url} ({error}); e.g. apt-get install -y "
            "redis-server, or set BENCH_REDIS_URL."
        ) from None


def build_env(args) -> dict[str, str]:
    return {
        **os.environ,
        "DATABASE_URL": args.database_url,
        "REDIS_URL": "",
        "DJANGO_DEBUG": "1",  # seed_demo refuses to run otherwise
        "DJANGO_STATEMENT_TIMEOUT_MS": "0",
    }


def manage(*command, env) -> None:
    subprocess.run([PYTHON, "manage.py", *command], cwd=BASE_DIR, env=env, check=True)


def psql_value(database_url: str, sql: str) -> str | None:
    import psycopg

    try:
        with psycopg.connect(database_url, connect_timeout=5) as conn:
            row = conn.execute(sql).fetchone()
            return None if row is None else row[0]
    except psycopg.Error:
        return None


def data_is_built(database_url: str) -> bool:
    ready = psql_value(
        database_url,
        "SELECT (SELECT count(*) FROM directory_service) >= "
        f"{SERVICES} AND EXISTS (SELECT 1 FROM accounts_user "
        "WHERE email = 'bench-caseworker@example.org')",
    )
    return bool(ready)


def drop_database(database_url: str) -> None:
    import psycopg
    from psycopg import sql

    name = database_url.rsplit("/", 1)[1]
    if not name.startswith("carenav_bench"):
        raise SystemExit(f"Refusing to drop {name!r}: not a carenav_bench database.")
    admin_url = database_url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(
                sql.Identifier(name)
            )
        )


def build(args) -> float:
    """Build the bench database from nothing; returns the seconds it took."""
    started = time.monotonic()
    env = build_env(args)
    print(f"Building the bench data set in {args.database_url} ...", flush=True)
    drop_database(args.database_url)
    manage("ensure_database", env=env)
    manage("migrate", "--no-input", "-v", "0", env=env)
    step = time.monotonic()
    manage("seed_demo", env=env)
    print(f"  seed content and demo accounts: {time.monotonic() - step:.0f}s")
    step = time.monotonic()
    manage("seed_directory", "--services", str(SERVICES), "--seed", "1", env=env)
    print(f"  directory: {time.monotonic() - step:.0f}s")
    step = time.monotonic()
    subprocess.run([PYTHON, "bench/seed_people.py"], cwd=BASE_DIR, env=env, check=True)
    print(f"  people and referrals: {time.monotonic() - step:.0f}s")
    subprocess.run(
        ["psql", args.database_url, "-qc", "VACUUM ANALYZE"], check=True, env=env
    )
    return time.monotonic() - started


def setup_django(env: dict[str, str]) -> None:
    for name in list(os.environ):
        if name.startswith(("DJANGO_", "GUNICORN_")) or name in (
            "DATABASE_URL",
            "DATABASE_REPLICA_URL",
            "REDIS_URL",
            "PUBLIC_PAGE_CACHE_SECONDS",
            "CARENAV_BENCH",
        ):
            del os.environ[name]
    os.environ.update(env)
    os.environ["DJANGO_SETTINGS_MODULE"] = "carenav.settings"
    sys.path.insert(0, str(BASE_DIR))
    import django

    django.setup()
