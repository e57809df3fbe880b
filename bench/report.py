"""The results: the machine, the data set's sizes, each page against its
targets, and bench/RESULTS.md (its hand-written "## Notes" kept)."""

import os
import platform
import re
import subprocess
import time
from pathlib import Path

from bench.environment import BASE_DIR
from bench.scenarios import MAX_QUERIES, P95_MS, SHARE, Scenario

RESULTS = BASE_DIR / "bench" / "RESULTS.md"


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
