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
import os
import secrets
import shlex
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

# Run as a script: the repository's root, for the bench package.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.environment import (  # noqa: E402
    BASE_DIR,
    DEFAULT_DB,
    DEFAULT_REDIS,
    PYTHON,
    build,
    build_env,
    check_redis,
    data_is_built,
    manage,
    server_env,
    setup_django,
)
from bench.load import median_result, run_wrk, settle_pool, start_gunicorn, stop  # noqa: E402
from bench.pages import count_queries, prepare  # noqa: E402
from bench.report import RESULTS, data_sizes, machine, table, write_results  # noqa: E402
from bench.scenarios import scenarios  # noqa: E402


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
