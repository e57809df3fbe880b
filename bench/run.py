"""Load test: every main page of CareNav under gunicorn, against a bare Django view.

    make bench                       # or: .venv/bin/python bench/run.py
    .venv/bin/python bench/run.py --duration 20 --only search_keyword,dashboard

1. Builds the data set once, in its own database (BENCH_DATABASE_URL, default
   ``carenav_bench`` on the local server): the seed content and demo accounts
   (``seed_demo``), 100,000 services (``seed_directory``), then 50,000 patients,
   500 caseworkers, about 100,000 clients and 200,000 referrals
   (``bench/seed_people.py``), one caseworker with a 400-referral caseload. Later
   runs reuse it (``--rebuild`` starts again).
2. Collects the static files and starts the app under gunicorn exactly as in
   production: ``carenav/gunicorn.conf.py``, DEBUG off, whitenoise, Redis for the cache
   and sessions (REDIS_URL, default Redis database 9 of 127.0.0.1, emptied at the
   start), persistent database connections. Only two settings differ:
   ``DJANGO_SECURE_SSL_REDIRECT=0``, because the load runs over plain HTTP on the
   loopback interface (no TLS proxy in front), and ``CARENAV_BENCH=1``, which adds
   the constant page /bench/bare (the ceiling every page is measured against). E-mail
   goes to a dummy backend.
3. Loads each page with wrk (Debian: ``apt-get install -y wrk``) from its own process
   on 127.0.0.1, for a bounded time after a short warm-up, with a Lua script for the
   session cookie, the CSRF token and the referral status changes. The directory
   searches walk lists of 20,000 different searches (``bench/search_mix.py``), each
   request taking the next unused one, from one round to the next: no search repeats
   during a run, so no cache can stand in for the search.
4. Counts each page's SQL queries with Django's test client against the same database
   (cached pages: on a cache miss, the worst case).
5. Prints the table and writes bench/RESULTS.md (machine, command, table, targets),
   keeping its hand-written "## Notes" section.

A page whose URL name does not resolve (its app is not there yet) is skipped, with a
line saying so. Nothing here is part of the test suite.
"""

import argparse
import json
import os
import platform
import re
import secrets
import shlex
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
RESULTS = BASE_DIR / "bench" / "RESULTS.md"
PYTHON = sys.executable
DEFAULT_DB = "postgres://postgres@127.0.0.1:5432/carenav_bench"
DEFAULT_REDIS = "redis://127.0.0.1:6379/9"
SERVICES = 100_000

# Targets (docs: issue 9): queries per page, share of the bare view's throughput.
MAX_QUERIES = 10
# Shares of the bare view's throughput by kind of page. Reports (issue: outcome
# reports) are held to their p95 only: they aggregate a team's referrals.
SHARE = {"public": 0.50, "search": 0.10, "signed-in": 0.20}
P95_MS = {"search": 100, "dashboard": 150, "report": 300}


@dataclass
class Scenario:
    name: str
    label: str
    kind: str  # ceiling, public, search, signed-in, report
    url_name: str
    args: list = field(default_factory=list)
    queries: list[str] = field(default_factory=lambda: [""])
    who: str = "anonymous"  # anonymous, patient, caseworker, supervisor
    method: str = "GET"
    expect: int = 200
    p95_target: str = ""
    # Search scenarios: a function of bench/search_mix.py giving thousands of
    # different query strings, walked so that none repeats during a run.
    rotate: str = ""
    # Filled in while running:
    paths: list[str] = field(default_factory=list)
    skipped: str = ""
    sql_miss: int | None = None  # queries, transaction control not counted
    sql_hit: int | None = None
    sql_transaction: int = 0  # BEGIN, COMMIT, SAVEPOINT, RELEASE on a miss
    result: dict = field(default_factory=dict)
    results: list[dict] = field(default_factory=list)
    counted_referral: tuple | None = None
    cursor: int = 0  # the next unused entry of a rotating list


# Different searches per scenario: more than one run's requests, so none repeats.
ROTATING_SEARCHES = 20_000


def scenarios() -> list[Scenario]:
    return [
        Scenario("bare", "bare Django view (ceiling)", "ceiling", "bench_bare"),
        Scenario("home", "home page", "public", "core:home"),
        Scenario("disease_list", "disease index", "public", "diseases:disease_list"),
        Scenario(
            "disease", "disease overview", "public", "diseases:disease_detail", ["als"]
        ),
        Scenario("article", "article", "public", "diseases:article_detail"),
        Scenario(
            "comparison",
            "comparison",
            "public",
            "diseases:comparison_detail",
            ["als-vs-ms"],
        ),
        Scenario("glossary", "glossary", "public", "diseases:glossary"),
        Scenario(
            "checklist_template",
            "checklist template",
            "public",
            "checklists:stage_list",
            ["als"],
        ),
        Scenario("service", "directory service", "public", "directory:service_detail"),
        Scenario(
            "organization",
            "directory organisation",
            "public",
            "directory:organization_detail",
        ),
        Scenario(
            "search_keyword",
            "directory search: keywords, typos (rotating)",
            "search",
            "directory:service_list",
            rotate="keyword_searches",
            p95_target="search",
        ),
        Scenario(
            "search_zip",
            "directory search: ZIP and radius (rotating)",
            "search",
            "directory:service_list",
            rotate="zip_searches",
            p95_target="search",
        ),
        Scenario(
            "search_filters",
            "directory search: words, ZIP, filters (rotating)",
            "search",
            "directory:service_list",
            rotate="filtered_searches",
            p95_target="search",
        ),
        Scenario(
            "search_mix",
            "directory search: all of the above in turn (rotating)",
            "search",
            "directory:service_list",
            rotate="mixed_searches",
            p95_target="search",
        ),
        Scenario(
            "my_checklist",
            "patient's checklist",
            "signed-in",
            "checklists:my_checklist",
            who="patient",
        ),
        Scenario(
            "dashboard",
            "caseworker dashboard (400 referrals)",
            "signed-in",
            "referrals:dashboard",
            who="caseworker",
            p95_target="dashboard",
        ),
        Scenario(
            "worklist",
            "referral worklist (400 referrals)",
            "signed-in",
            "referrals:referral_list",
            queries=["", "status=open&sort=-updated", "attention=yes", "page=3"],
            who="caseworker",
        ),
        Scenario(
            "client",
            "caseworker's client page",
            "signed-in",
            "referrals:client_detail",
            who="caseworker",
        ),
        Scenario(
            "report",
            "supervisor's outcome report (the team's last 12 months)",
            "report",
            "referrals:referral_report",
            who="supervisor",
            p95_target="report",
        ),
        Scenario(
            "status_change",
            "referral status change (POST)",
            "signed-in",
            "referrals:referral_change_status",
            who="caseworker",
            method="POST",
            expect=303,
        ),
    ]


# ---------------------------------------------------------------------------
# Environment and data set


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


# ---------------------------------------------------------------------------
# Preparing the pages: URLs, sessions, query counts


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


@dataclass
class Context:
    cookies: dict[str, str]
    headers: dict[str, str]
    pool: list[tuple[int, int, str]] = field(default_factory=list)


def login_cookie(user) -> str:
    from django.test import Client

    client = Client()
    client.force_login(user, backend="apps.accounts.backends.AccountBackend")
    from django.conf import settings

    return client.cookies[settings.SESSION_COOKIE_NAME].value


def prepare(items: list[Scenario], port: int) -> dict[str, Context]:
    """Resolve every page's URLs, sign the bench accounts in, and pick the records
    (article, service, client, referrals) the pages show."""
    from django.conf import settings
    from django.core.cache import cache
    from django.db.models import Count
    from django.urls import NoReverseMatch, reverse
    from django.utils.crypto import get_random_string

    from apps.accounts.models import User
    from apps.directory.models import Service
    from apps.referrals.models import Client, Referral

    cache.clear()  # the bench's own Redis database: old sessions and pages
    csrf_secret = get_random_string(32)
    patient = User.objects.get(email="bench-patient@example.org")
    caseworker = User.objects.get(email="bench-caseworker@example.org")
    supervisor = _bench_supervisor(caseworker)
    contexts = {"anonymous": Context(cookies={}, headers={})}
    people = [("patient", patient), ("caseworker", caseworker)]
    people += [("supervisor", supervisor)] if supervisor else []
    for who, user in people:
        contexts[who] = Context(
            cookies={
                settings.SESSION_COOKIE_NAME: login_cookie(user),
                settings.CSRF_COOKIE_NAME: csrf_secret,
            },
            headers={"X-CSRFToken": csrf_secret},
        )

    # The records the pages show.
    article = None
    try:
        from apps.diseases.models import Article

        article = (
            Article.objects.filter(status="published", disease__slug="als")
            .select_related("disease")
            .order_by("order", "pk")
            .first()
        )
    except (ImportError, LookupError):
        pass
    service = Service.objects.filter(status="active").order_by("pk").first()
    client = (
        Client.objects.filter(caseworker=caseworker)
        .annotate(n=Count("referrals"))
        .order_by("-n", "pk")
        .first()
    )
    open_referrals = list(
        Referral.objects.filter(
            client__caseworker=caseworker, status__in=["sent", "accepted", "scheduled"]
        )
        .order_by("pk")
        .values_list("pk", "version", "status")
    )
    contexts["caseworker"].pool = open_referrals[1:]
    counted_referral = open_referrals[0] if open_referrals else None
    needs = {
        "diseases:article_detail": (
            [article.disease.slug, article.slug] if article else None
        ),
        "directory:service_detail": [service.pk] if service else None,
        "directory:organization_detail": [service.organization_id] if service else None,
        "referrals:client_detail": [client.pk] if client else None,
        "referrals:referral_change_status": (
            [counted_referral[0]] if counted_referral else None
        ),
    }
    for item in items:
        args = item.args
        if item.who not in contexts:
            item.skipped = f"no {item.who} account"
            continue
        if item.url_name in needs:
            args = needs[item.url_name]
            if args is None:
                item.skipped = "no record to show"
                continue
        try:
            path = reverse(item.url_name, args=args)
        except NoReverseMatch:
            item.skipped = f"URL name {item.url_name} does not resolve"
            continue
        if item.name == "status_change":
            # wrk walks the pool; the path here is for counting queries only.
            item.paths = [path]
            item.counted_referral = counted_referral
            continue
        if item.rotate:
            item.queries = rotating_searches(item.rotate)
        item.paths = [f"{path}?{q}" if q else path for q in item.queries]
    return contexts


def rotating_searches(name: str) -> list[str]:
    from apps.directory.models import TaxonomyTerm
    from bench import search_mix

    make = getattr(search_mix, name)
    if name in ("filtered_searches", "mixed_searches"):
        codes = list(TaxonomyTerm.objects.values_list("code", flat=True))
        return make(ROTATING_SEARCHES, codes)
    return make(ROTATING_SEARCHES)


def _bench_supervisor(caseworker):
    """The supervisor of the bench caseworker's team, with the second factor that
    staff need set up (data sets built before it was needed lack it)."""
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
    from allauth.mfa.utils import is_mfa_enabled

    from apps.accounts.models import User

    supervisor = (
        User.objects.filter(role=User.Role.SUPERVISOR, team_id=caseworker.team_id)
        .order_by("pk")
        .first()
    )
    if supervisor is not None and not is_mfa_enabled(supervisor):
        TOTP.activate(supervisor, generate_totp_secret())
    return supervisor


def _status_form(version: int, status: str, pk: int) -> dict[str, str]:
    """The next status change of a referral in a never-ending walk: sent ->
    accepted -> scheduled -> scheduled (a new appointment date) -> ..."""
    minute = pk % 60
    if status == "sent":
        return {"to": "accepted", "version": str(version), "note": ""}
    return {
        "to": "scheduled",
        "version": str(version),
        "appointment_at": f"2031-01-{1 + pk % 28:02d}T10:{minute:02d}",
        "note": "",
    }


TRANSACTION_CONTROL = re.compile(
    r"^\s*(BEGIN|COMMIT|ROLLBACK|SAVEPOINT|RELEASE SAVEPOINT)\b", re.IGNORECASE
)


def split_queries(captured) -> tuple[int, int]:
    """(queries, transaction control statements) among the captured statements.

    Django logs BEGIN, COMMIT and savepoints as statements too; they are counted
    apart. pghistory sends its context as "SELECT set_config(...); <statement>":
    the statement after it is what counts.
    """
    queries = control = 0
    for entry in captured.captured_queries:
        sql = entry["sql"]
        if sql.startswith("SELECT set_config('pghistory"):
            sql = sql.rsplit("; ", 1)[-1]
        if TRANSACTION_CONTROL.match(sql):
            control += 1
        else:
            queries += 1
    return queries, control


def count_queries(items: list[Scenario], contexts: dict[str, Context], port: int):
    from django.core.cache import cache
    from django.db import connection
    from django.db.models import F
    from django.test import Client, RequestFactory
    from django.test.utils import CaptureQueriesContext

    from apps.core.caching import cache_key, forget_local_copies
    from apps.referrals.models import TeamChangeShard

    host = f"127.0.0.1:{port}"
    for item in items:
        if item.skipped:
            continue
        context = contexts[item.who]
        client = Client(HTTP_HOST=host)
        for name, value in context.cookies.items():
            client.cookies[name] = value
        path = item.paths[0]
        if item.method == "POST":
            pk, version, status = item.counted_referral
            client.get(path.replace("status/", ""))  # warm this process up
            data = _status_form(version, status, pk)
            with CaptureQueriesContext(connection) as queries:
                response = client.post(path, data, headers=context.headers)
            item.sql_miss, item.sql_transaction = split_queries(queries)
        else:
            client.get(path)  # warm-up: first-use caches of this process
            cache.delete(cache_key(RequestFactory().get(path, HTTP_HOST=host)))
            forget_local_copies()
            # Kept casework pages: a new count of changes makes the next load a miss.
            TeamChangeShard.objects.update(changes=F("changes") + 1)
            with CaptureQueriesContext(connection) as queries:
                response = client.get(path)
            item.sql_miss, item.sql_transaction = split_queries(queries)
            with CaptureQueriesContext(connection) as queries:
                client.get(path)
            item.sql_hit = split_queries(queries)[0]
        if response.status_code != item.expect:
            item.skipped = (
                f"answered {response.status_code} instead of {item.expect} "
                f"({response.get('Location', '')})"
            )
    connection.close()


# ---------------------------------------------------------------------------
# The load


LUA = r"""
local paths = %(paths)s
local method = "%(method)s"
local headers = %(headers)s
local expected = %(expect)d
local pool = %(pool)s
-- Where this run starts in the list of paths: a rotating list is walked on from
-- one run to the next, the threads taking turns, so that no path repeats.
local start = %(start)d
local threads = {}

function setup(thread)
  table.insert(threads, thread)
  thread:set("thread_index", #threads)
end

function init(args)
  unexpected = 0
  unexpected_seen = ""
  n = 0
  -- wrk calls request() once on its first thread before the load starts, only to
  -- check what it returns (script_verify_request in wrk's script.c); that request
  -- is never sent. Answered like any other, it would move the thread's first
  -- referral on in this script but not on the server: every later change of it
  -- would then be refused as stale (409), once per turn through the pool.
  checking = thread_index == 1
  mine = {}
  busy = {}
  turn = 0
  for i, entry in ipairs(pool) do
    if (i - 1) %% thread_total == thread_index - 1 then
      table.insert(mine, {id = entry[1], version = entry[2], status = entry[3]})
    end
  end
end

local function status_body(entry)
  local body
  if entry.status == "sent" then
    body = "to=accepted&note=&version=" .. entry.version
    entry.status = "accepted"
  else
    body = string.format(
      "to=scheduled&note=&version=%%d&appointment_at=2031-01-%%02dT10%%%%3A%%02d",
      entry.version, 1 + entry.id %% 28, entry.id %% 60)
    entry.status = "scheduled"
  end
  entry.version = entry.version + 1
  return body
end

function request()
  if checking then
    checking = false
    return wrk.format(method, paths[1], headers)
  end
  n = n + 1
  if #mine > 0 then
    -- The next referral not waiting for an answer: sent again while its change
    -- is still queued (a stall of half a second lets the other connections go
    -- round the pool), it would be refused as stale (409).
    local entry
    for _ = 1, #mine do
      turn = turn %% #mine + 1
      if not busy[mine[turn].id] then
        entry = mine[turn]
        break
      end
    end
    entry = entry or mine[turn]
    busy[entry.id] = true
    local path = "/casework/referrals/" .. entry.id .. "/status/"
    return wrk.format("POST", path, headers, status_body(entry))
  end
  local index = start + (n - 1) * thread_total + thread_index - 1
  return wrk.format(method, paths[index %% #paths + 1], headers)
end

function response(status, headers, body)
  -- A changed referral's answer names it (303 to its page): it may be sent again.
  local location = headers["Location"] or headers["location"]
  if location then
    local id = tonumber(string.match(location, "/referrals/(%%d+)/"))
    if id then
      busy[id] = nil
    end
  end
  if status ~= expected then
    unexpected = unexpected + 1
    if #unexpected_seen < 60 then
      unexpected_seen = unexpected_seen .. status .. " "
    end
  end
end

function done(summary, latency, requests)
  local bad = 0
  local most = 0
  local seen = ""
  for _, thread in ipairs(threads) do
    bad = bad + thread:get("unexpected")
    seen = seen .. thread:get("unexpected_seen")
    most = math.max(most, thread:get("n"))
  end
  io.write(string.format(
    'BENCH_JSON {"requests": %%d, "duration_us": %%d, "p50_us": %%d, ' ..
    '"p95_us": %%d, "p99_us": %%d, "max_us": %%d, "unexpected": %%d, ' ..
    '"connect": %%d, "read": %%d, "write": %%d, "status": %%d, "timeout": %%d, ' ..
    '"issued": %%d, "unexpected_statuses": "%%s"}\n',
    summary.requests, summary.duration, latency:percentile(50),
    latency:percentile(95), latency:percentile(99), latency.max, bad,
    summary.errors.connect, summary.errors.read, summary.errors.write,
    summary.errors.status, summary.errors.timeout, most * #threads, seen))
end
"""


def lua_string(value: str) -> str:
    return json.dumps(value)  # a JSON string is a valid Lua string here


def lua_script(item: Scenario, context: Context, threads: int, start: int = 0) -> str:
    headers = {}
    if context.cookies:
        headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in context.cookies.items())
    if item.method == "POST":
        headers.update(context.headers)
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    pool = context.pool if item.method == "POST" else []
    script = LUA % {
        "paths": "{" + ", ".join(lua_string(p) for p in item.paths) + "}",
        "method": item.method,
        "headers": "{"
        + ", ".join(f"[{lua_string(k)}] = {lua_string(v)}" for k, v in headers.items())
        + "}",
        "expect": item.expect,
        "start": start,
        "pool": "{"
        + ", ".join(f"{{{pk}, {version}, {lua_string(s)}}}" for pk, version, s in pool)
        + "}",
    }
    return f"thread_total = {threads}\n" + script


def run_wrk(item, context, args, workdir: Path, seconds: int) -> dict:
    script = workdir / f"{item.name}.lua"
    script.write_text(lua_script(item, context, args.threads, item.cursor))
    command = [
        "wrk",
        f"-t{args.threads}",
        f"-c{args.connections}",
        f"-d{seconds}s",
        "--timeout",
        "10s",
        "-s",
        str(script),
        f"http://127.0.0.1:{args.port}",
    ]
    done = subprocess.run(
        command, capture_output=True, text=True, timeout=seconds + 60, check=True
    )
    line = next(
        (x for x in done.stdout.splitlines() if x.startswith("BENCH_JSON ")), None
    )
    if line is None:
        raise RuntimeError(f"wrk gave no summary:\n{done.stdout}\n{done.stderr}")
    result = json.loads(line.removeprefix("BENCH_JSON "))
    result["rps"] = result["requests"] / (result["duration_us"] / 1e6)
    if result["unexpected"]:
        print(
            f"  {item.name}: {result['unexpected']} unexpected answers, statuses "
            f"{result['unexpected_statuses'].strip()}",
            flush=True,
        )
    if item.rotate:
        item.cursor += result["issued"]
        if item.cursor > len(item.paths):
            print(
                f"  {item.name}: {item.cursor} requests so far, more than its "
                f"{len(item.paths)} different searches: some repeated.",
                flush=True,
            )
    return result


def refresh_pool(context: Context) -> None:
    """Read the referrals' versions again (the warm-up changed them)."""
    import psycopg

    ids = [pk for pk, _, _ in context.pool]
    if not ids:
        return
    with psycopg.connect(os.environ["DATABASE_URL"]) as conn:
        rows = conn.execute(
            "SELECT id, version, status FROM referrals_referral WHERE id = ANY(%s) "
            "AND status IN ('sent', 'accepted', 'scheduled') ORDER BY id",
            [ids],
        ).fetchall()
    context.pool = [tuple(row) for row in rows]


def settle_pool(context: Context) -> None:
    """Read the versions again once the server has answered everything sent so far.

    When wrk stops, each connection may still have a request queued at the server
    (one per connection: 8 by default). Read too early, those referrals' versions
    are one behind, and the run's first request for each is refused as stale: the
    "8 unexpected answers" (409) of earlier runs. So read until two readings half
    a second apart agree.
    """
    time.sleep(1)
    refresh_pool(context)
    for _ in range(20):
        before = list(context.pool)
        time.sleep(0.5)
        refresh_pool(context)
        if context.pool == before:
            return


def median_result(results: list[dict]) -> dict:
    """Median throughput and latencies of the rounds; problems of all rounds."""
    merged = {
        key: statistics.median(r[key] for r in results)
        for key in ("rps", "p50_us", "p95_us", "p99_us")
    }
    for key in ("requests", "unexpected", "connect", "read", "write", "timeout"):
        merged[key] = sum(r[key] for r in results)
    merged["status"] = sum(r["status"] for r in results)
    merged["rounds_rps"] = [round(r["rps"]) for r in results]
    return merged


def start_gunicorn(env: dict[str, str], port: int, log: Path) -> subprocess.Popen:
    gunicorn = str(Path(PYTHON).parent / "gunicorn")
    process = subprocess.Popen(
        [gunicorn, "-c", "carenav/gunicorn.conf.py", "carenav.wsgi"],
        cwd=BASE_DIR,
        env=env,
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"gunicorn stopped:\n{log.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(  # nosec B310: loopback only
                f"http://127.0.0.1:{port}/healthz", timeout=2
            ) as answer:
                if answer.status == 200:
                    return process
        except OSError:
            time.sleep(0.5)
    stop(process)
    raise SystemExit(f"gunicorn did not answer in time:\n{log.read_text()[-3000:]}")


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()


# ---------------------------------------------------------------------------
# Report


def machine() -> dict[str, str]:
    cpu = "unknown"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    mem_kb = int(
        re.search(r"MemTotal:\s+(\d+)", Path("/proc/meminfo").read_text()).group(1)
    )
    import django
    import gunicorn
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        postgres = cursor.fetchone()[0]
    connection.close()
    wrk_version = subprocess.run(
        ["wrk", "-v"], capture_output=True, text=True, check=False
    ).stdout.split("\n")[0]
    return {
        "CPU": f"{os.cpu_count()} cores ({cpu})",
        "memory": f"{mem_kb / 1024 / 1024:.1f} GiB",
        "system": f"{platform.system()} {platform.release()}",
        "software": f"Python {platform.python_version()}, Django {django.__version__}, "
        f"gunicorn {gunicorn.__version__}, PostgreSQL {postgres} (same host), "
        f"Redis (same host), {wrk_version.split(' [')[0]}",
    }


def data_sizes() -> dict[str, int]:
    from django.db import connection

    counts = {}
    with connection.cursor() as cursor:
        for label, sql in (
            ("services", "SELECT count(*) FROM directory_service"),
            ("organisations", "SELECT count(*) FROM directory_organization"),
            ("patients", "SELECT count(*) FROM accounts_user WHERE role = 'patient'"),
            (
                "caseworkers",
                "SELECT count(*) FROM accounts_user WHERE role = 'caseworker'",
            ),
            ("clients", "SELECT count(*) FROM referrals_client"),
            ("referrals", "SELECT count(*) FROM referrals_referral"),
            (
                "bench caseworker's referrals",
                "SELECT count(*) FROM referrals_referral r JOIN referrals_client c "
                "ON c.id = r.client_id JOIN accounts_user u ON u.id = c.caseworker_id "
                "WHERE u.email = 'bench-caseworker@example.org'",
            ),
        ):
            cursor.execute(sql)
            counts[label] = cursor.fetchone()[0]
    connection.close()
    return counts


def verdicts(item: Scenario, bare_rps: float) -> list[str]:
    """The targets this page misses (empty: all met)."""
    missed = []
    if item.sql_miss is not None and item.sql_miss > MAX_QUERIES:
        missed.append(f"{item.sql_miss} queries > {MAX_QUERIES}")
    share = SHARE.get(item.kind)
    if share and item.result and bare_rps:
        ratio = item.result["rps"] / bare_rps
        if ratio < share:
            missed.append(f"{ratio:.0%} of bare < {share:.0%}")
    limit = P95_MS.get(item.p95_target)
    if limit and item.result:
        p95 = item.result["p95_us"] / 1000
        if p95 >= limit:
            missed.append(f"p95 {p95:.0f} ms >= {limit} ms")
    if item.result and (item.result["unexpected"] or item.result["timeout"]):
        missed.append(
            f"{item.result['unexpected']} unexpected answers, "
            f"{item.result['timeout']} timeouts"
        )
    return missed


def table(items: list[Scenario]) -> list[str]:
    bare = next((i for i in items if i.kind == "ceiling" and i.result), None)
    bare_rps = bare.result["rps"] if bare else 0
    lines = [
        "| page | kind | req/s | req/s by round | % of bare | p50 ms | p95 ms | "
        "SQL queries | target | met |",
        "|---|---|---:|---|---:|---:|---:|---:|---|---|",
    ]
    for item in items:
        if item.skipped:
            lines.append(
                f"| {item.label} | {item.kind} | - | - | - | - | - | - | "
                f"skipped: {item.skipped} | - |"
            )
            continue
        result = item.result
        share = SHARE.get(item.kind)
        target = []
        if share:
            target.append(f">= {share:.0%}")
        if item.p95_target:
            target.append(f"p95 < {P95_MS[item.p95_target]} ms")
        if item.kind != "ceiling":
            target.append(f"<= {MAX_QUERIES} SQL")
        sql = "-" if item.sql_miss is None else str(item.sql_miss)
        if item.sql_transaction:
            sql += f" (+{item.sql_transaction} tx)"
        if item.sql_hit is not None and item.kind == "public":
            sql += f" / {item.sql_hit}"
        missed = verdicts(item, bare_rps) if item.kind != "ceiling" else []
        # Each round's figure too: the machine's speed can move between rounds,
        # the ceiling's as much as any page's.
        rounds = " / ".join(str(rps) for rps in result.get("rounds_rps", []))
        lines.append(
            f"| {item.label} | {item.kind} | {result['rps']:.0f} | {rounds or '-'} | "
            f"{result['rps'] / bare_rps:.0%} | {result['p50_us'] / 1000:.1f} | "
            f"{result['p95_us'] / 1000:.1f} | {sql} | {', '.join(target) or '-'} | "
            f"{'yes' if not missed else 'NO: ' + '; '.join(missed)} |"
        )
    return lines


def write_results(items, args, command, info, sizes, build_seconds, workers):
    notes = ""
    if RESULTS.exists():
        text = RESULTS.read_text()
        if "\n## Notes" in text:
            notes = text[text.index("\n## Notes") + 1 :]
    missed = [
        f"- {item.label}: {'; '.join(verdicts(item, items[0].result['rps']))}"
        for item in items
        if item.kind != "ceiling"
        and not item.skipped
        and verdicts(item, items[0].result["rps"])
    ]
    skipped = [f"- {i.label}: {i.skipped}" for i in items if i.skipped]
    body = [
        "# Load test results",
        "",
        "Written by `bench/run.py` (the table and everything above `## Notes`); the",
        "notes are kept from one run to the next.",
        "",
        f"Run on {time.strftime('%Y-%m-%d %H:%M %Z')}:",
        "",
        "```",
        command,
        "```",
        "",
        "## Machine",
        "",
        *[f"- {k}: {v}" for k, v in info.items()],
        "",
        "## Set-up",
        "",
        f"- gunicorn with `carenav/gunicorn.conf.py`: {workers} sync workers, DEBUG "
        "off, whitenoise, Redis cache and sessions, persistent connections. "
        "`DJANGO_SECURE_SSL_REDIRECT=0` only because the load runs over plain HTTP on "
        "127.0.0.1; `CARENAV_BENCH=1` adds the bare view."
        + (
            " Directory search read from a replica alias (the same database)."
            if args.replica
            else ""
        ),
        f"- wrk: {args.threads} threads, {args.connections} connections, "
        f"{args.duration} s per page after a {args.warmup} s warm-up, "
        f"{args.rounds} rounds through all pages (the table shows each page's "
        "median round), on the same machine (wrk takes part of the 2 cores too).",
        "- Data: " + ", ".join(f"{n:,} {label}" for label, n in sizes.items()) + ".",
        *(
            [f"- Data set built in this run in {build_seconds / 60:.1f} minutes."]
            if build_seconds
            else []
        ),
        "- SQL queries: per request, counted with the test client against the same "
        "database. Public pages show a cache miss / a cache hit. Transaction control "
        "statements that Django logs too (BEGIN, COMMIT, SAVEPOINT, RELEASE) are "
        "shown apart as `+N tx` and not counted against the limit of 10.",
        "",
        "## Results",
        "",
        *table(items),
        "",
        "Targets missed:" if missed else "Every target was met in this run.",
        *missed,
        *(["", "Skipped:", *skipped] if skipped else []),
        "",
    ]
    RESULTS.write_text("\n".join(body) + ("\n" + notes if notes else ""))


# ---------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--database-url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_DB)
    )
    parser.add_argument(
        "--redis-url", default=os.environ.get("BENCH_REDIS_URL", DEFAULT_REDIS)
    )
    parser.add_argument("--port", type=int, default=8190)
    parser.add_argument("--duration", type=int, default=10, help="seconds per page")
    parser.add_argument("--warmup", type=int, default=2, help="seconds before each")
    parser.add_argument(
        "--rounds", type=int, default=3, help="times each page is loaded"
    )
    parser.add_argument("--threads", type=int, default=2, help="wrk threads")
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--workers", type=int, default=0, help="gunicorn workers")
    parser.add_argument("--only", default="", help="comma-separated page names")
    parser.add_argument("--rebuild", action="store_true", help="build the data again")
    parser.add_argument("--replica", action="store_true", help="search via replica")
    parser.add_argument("--no-page-cache", action="store_true")
    parser.add_argument(
        "--no-results", action="store_true", help="do not write bench/RESULTS.md"
    )
    args = parser.parse_args()
    command = " ".join(
        [".venv/bin/python bench/run.py", *map(shlex.quote, sys.argv[1:])]
    )
    if not shutil.which("wrk"):
        raise SystemExit("wrk is needed: apt-get install -y wrk")
    check_redis(args.redis_url)

    build_seconds = 0.0
    if args.rebuild or not data_is_built(args.database_url):
        build_seconds = build(args)
        print(f"Data set built in {build_seconds / 60:.1f} minutes.")
    else:
        # The code may have moved on since the data set was built. A migration
        # that rewrote rows leaves them for autovacuum to settle; measure the
        # settled database, as a freshly built one is (VACUUM ANALYZE, like build).
        env = build_env(args)
        manage("migrate", "--no-input", "-v", "0", env=env)
        subprocess.run(
            ["psql", args.database_url, "-qc", "VACUUM ANALYZE"], check=True, env=env
        )

    env = server_env(args, secrets.token_urlsafe(40))
    print("Collecting static files ...", flush=True)
    subprocess.run(
        [PYTHON, "manage.py", "collectstatic", "--no-input", "-v", "0"],
        cwd=BASE_DIR,
        env=env,
        check=True,
    )
    setup_django(env)
    items = scenarios()
    wanted = {name for name in args.only.split(",") if name}
    if wanted:
        items = [i for i in items if i.kind == "ceiling" or i.name in wanted]
    contexts = prepare(items, args.port)
    count_queries(items, contexts, args.port)
    info = machine()
    sizes = data_sizes()
    for item in items:
        if item.skipped:
            print(f"Skipping {item.label}: {item.skipped}.")

    workers = env.get("GUNICORN_WORKERS") or str(2 * (os.cpu_count() or 1) + 1)
    load_before = os.getloadavg()
    with tempfile.TemporaryDirectory(prefix="carenav-bench-") as tmp:
        workdir = Path(tmp)
        log = workdir / "gunicorn.log"
        server = start_gunicorn(env, args.port, log)
        try:
            # Rounds go through every page in turn, so that a burst of other work
            # on the machine does not land on one page only; the median counts.
            for round_number in range(1, args.rounds + 1):
                for item in items:
                    if item.skipped:
                        continue
                    context = contexts[item.who]
                    print(
                        f"Round {round_number}/{args.rounds}: {item.label} ...",
                        flush=True,
                    )
                    if args.warmup and round_number == 1:
                        run_wrk(item, context, args, workdir, args.warmup)
                    if item.method == "POST":
                        settle_pool(context)
                    item.results.append(
                        run_wrk(item, context, args, workdir, args.duration)
                    )
            for item in items:
                if item.results:
                    item.result = median_result(item.results)
        finally:
            stop(server)
        errors = [line for line in log.read_text().splitlines() if "Traceback" in line]
        if errors:
            print(f"gunicorn logged {len(errors)} tracebacks; log tail:")
            print(log.read_text()[-3000:])

    load_after = os.getloadavg()
    info["load average (1 min) before / after the load"] = (
        f"{load_before[0]:.1f} / {load_after[0]:.1f} (other work on the machine "
        "shares the cores with the bench)"
    )
    lines = table(items)
    print()
    print("\n".join(lines))
    if not args.no_results:
        write_results(items, args, command, info, sizes, build_seconds, workers)
        print(f"\nWritten to {RESULTS.relative_to(BASE_DIR)}.")


if __name__ == "__main__":
    main()
