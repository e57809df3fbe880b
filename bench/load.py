"""The load: wrk with a Lua script per page (cookies, CSRF token, rotating
searches, the referral status walk), and gunicorn started and stopped."""

import json
import os
import signal
import statistics
import subprocess
import time
import urllib.request
from pathlib import Path

from bench.environment import BASE_DIR, PYTHON
from bench.pages import Context
from bench.scenarios import Scenario

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
