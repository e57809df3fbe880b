"""Directory search benchmark: query timings at 100,000 services.

    .venv/bin/python bench/search_bench.py [--services 100000] [--runs 30]

Uses its own database (BENCH_DATABASE_URL, default carenav_search_bench on the local
server), fills it once with ``seed_directory`` and reuses it afterwards. For each
kind of search it requests the results page once to count the SQL queries, then
times the page's search query (the statement with the results and their count) with
EXPLAIN ANALYZE over repeated runs, and prints p50 and p95 in milliseconds. The
typo-correction lookup that keyword searches make first is timed too.
"""

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))
os.environ["DATABASE_URL"] = os.environ.get(
    "BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/carenav_search_bench"
)
os.environ.setdefault("DJANGO_DEBUG", "1")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "carenav.settings")
# Seeding and indexing 100,000 services takes longer than a web request may.
os.environ.setdefault("DJANGO_STATEMENT_TIMEOUT_MS", "600000")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import (  # noqa: E402
    CaptureQueriesContext,
    setup_test_environment,
)
from django.urls import reverse  # noqa: E402

from apps.directory.models import Service  # noqa: E402

SEARCHES = {
    "keyword": {"q": "speech therapy"},
    "keyword with typo": {"q": "speach therapy"},
    "ZIP radius (25 mi, by distance)": {"zip": "02114", "radius": "25"},
    "ZIP radius (100 mi, by distance)": {"zip": "60611", "radius": "100"},
    "keyword + filters": {
        "q": "therapy",
        "type": "therapy",
        "language": "es",
        "telehealth": "on",
        "accepts_referrals": "on",
    },
    "keyword + ZIP + open now": {
        "q": "clinic",
        "zip": "10001",
        "radius": "50",
        "open_now": "on",
    },
    "taxonomy + disease, page 5": {
        "type": "medical-care",
        "disease": "ms",
        "page": "5",
    },
    "everything, no criteria": {},
}


def prepare(services: int) -> None:
    call_command("ensure_database")
    call_command("migrate", verbosity=0)
    existing = Service.objects.count()
    if existing < services:
        print(f"Seeding {services - existing} services (once; kept for later runs)...")
        call_command("seed_directory", services=services - existing, seed=42)
    elif not Service.objects.exclude(search_terms=[]).exists():
        # A database seeded before the search gained its filter columns.
        call_command("refresh_search_index")
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")


def explain_ms(statements: list[str], runs: int) -> tuple[list[float], list[float]]:
    """Execution and planning times of statements, summed per run."""
    execution, planning = [], []
    with connection.cursor() as cursor:
        for _ in range(runs):
            run_execution = run_planning = 0.0
            for sql in statements:
                cursor.execute("EXPLAIN (ANALYZE, FORMAT JSON) " + sql)
                plan = cursor.fetchone()[0]
                plan = json.loads(plan) if isinstance(plan, str) else plan
                run_execution += plan[0]["Execution Time"]
                run_planning += plan[0]["Planning Time"]
            execution.append(run_execution)
            planning.append(run_planning)
    return execution, planning


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(fraction * (len(ordered) - 1))))
    return ordered[index]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--services", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()
    prepare(args.services)
    # Lets the test client see the page's context (its match count).
    setup_test_environment()
    total = Service.objects.count()
    load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
    print(
        f"Directory: {total} services. {args.runs} runs per query. "
        f"Load average: {load} on {os.cpu_count()} CPUs.\n"
    )
    client = Client()
    url = reverse("directory:service_list")
    header = (
        f"{'search':36} {'queries':>7} {'matches':>8} "
        f"{'p50 ms':>8} {'p95 ms':>8} {'plan p50':>9} {'page ms':>8}"
    )
    print(header)
    print("-" * len(header))
    worst = 0.0
    for label, params in SEARCHES.items():
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            response = client.get(url, params)
            page_ms = (time.perf_counter() - started) * 1000
        assert response.status_code == 200, label
        # The page of matches, and its separate count when browsing without
        # keywords or distance (otherwise the count is a window in the same query).
        search_sql = [
            q["sql"]
            for q in queries
            if q["sql"].startswith('SELECT "directory_service"."id" AS "id"')
            or q["sql"].startswith("SELECT COUNT(*)")
        ]
        execution, planning = explain_ms(search_sql, args.runs)
        matches = response.context["page_obj"].paginator.count
        p95 = percentile(execution, 0.95)
        worst = max(worst, p95)
        print(
            f"{label:36} {len(queries):>7} {matches:>8} "
            f"{statistics.median(execution):>8.1f} {p95:>8.1f} "
            f"{statistics.median(planning):>9.1f} {page_ms:>8.0f}"
        )
        correction = [q["sql"] for q in queries if "directory_searchword" in q["sql"]]
        if correction:
            execution, _ = explain_ms(correction[:1], args.runs)
            print(
                f"{'  + typo-correction lookup':36} {'':>7} {'':>8} "
                f"{statistics.median(execution):>8.1f} "
                f"{percentile(execution, 0.95):>8.1f}"
            )
    print(
        "\nqueries: SQL statements for the whole results page (anonymous visitor);"
        "\np50/p95: execution time of the search statement(s): the page of matches"
        "\n  with its count (EXPLAIN ANALYZE);"
        "\nplan p50: its planning time; page ms: one full request, first run."
    )
    print(f"Worst p95: {worst:.1f} ms (target: under 50 ms).")


if __name__ == "__main__":
    main()
