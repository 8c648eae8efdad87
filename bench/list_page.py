"""The claim list page under load: ours (gunicorn, 2 workers) against Datasette, and the floor.

    python bench/list_page.py --db bench/data/claims-100k.sqlite3 [--rounds 5] [--seconds 10] [--record]

"The page" is the 50 newest published claims with nested evidence, spans, source summaries
and entities, as anonymous users get it from ``/api/v1/claims/?status=published``. Served:

- ``api``: the real endpoint, as ``claims/views.py`` answers it today;
- ``drf``: the same list forced through ``ClaimSerializer`` (``bench_urls.py``);
- ``fast``: the same list forced through ``claims.fast_list`` (same bytes, tested);
- ``api-persistent``, ``api-sync``, ``api-threads``: the real endpoint from a gunicorn opening
  a database connection per request, from one on gunicorn's sync workers (no keep-alive), and
  from one with four threads a worker (``gunicorn.conf.py`` gives SQLite one); the others run
  as ``gunicorn.conf.py`` configures them;
- ``datasette``: Datasette 0.65 serving the same SQLite file with a canned query that returns
  the same 50 claims with the same nesting (evidence -> span -> source, entities) as JSON,
  from its own virtualenv ``bench/.venv-datasette`` (created when missing).

Each target is loaded with ``wrk`` on 127.0.0.1 for ``--seconds``; the server's CPU (user +
system, from /proc/<pid>/stat of the gunicorn master and workers, or the Datasette process)
before and after (each read once the server has gone idle), divided by the requests served,
is the CPU per request. Targets take turns within each round. The in-process floor
(``floor``) is the same page built with the sqlite3 module and orjson in this process, no
HTTP and no framework, measured right after each target's run: the machine's speed changes
from one second to the next (the floor alone ranges over 2x on a shared host), so each
ratio is taken between figures measured seconds apart, a target's run against the floor
measured after it and against Datasette's run in the same round, and the medians of those
ratios over the rounds are reported beside the medians of the CPU figures.
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import re
import sqlite3
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import orjson

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_support import BENCH_DIR, PROJECT_DIR, settled_cpu_seconds, publish, table  # noqa: E402

DATASETTE_VENV = BENCH_DIR / ".venv-datasette"
DATASETTE_VERSION = "0.65.*"
OURS_PORT, DATASETTE_PORT, PERSISTENT_PORT, SYNC_PORT, THREADS_PORT = 8731, 8732, 8733, 8734, 8735
PAGE_SIZE = 50

CANNED_SQL = """
SELECT c.id, c.text, c.status, c.verdict, nullif(c.confidence, '') AS confidence,
  c.period_start, c.period_end, a.username AS author, r.username AS reviewer, c.version,
  c.needs_attention, c.supersedes_id AS supersedes,
  replace(c.created_at, ' ', 'T') || 'Z' AS created_at,
  replace(c.updated_at, ' ', 'T') || 'Z' AS updated_at,
  replace(c.submitted_at, ' ', 'T') || 'Z' AS submitted_at,
  replace(c.published_at, ' ', 'T') || 'Z' AS published_at,
  (SELECT json_group_array(json_object('id', en.id, 'slug', en.slug, 'name', en.name, 'kind', en.kind))
     FROM (SELECT en.id, en.slug, en.name, en.kind FROM claims_claim_entities ce
           JOIN claims_entity en ON en.id = ce.entity_id
           WHERE ce.claim_id = c.id ORDER BY en.name, en.id) en) AS entities,
  (SELECT json_group_array(json_object('id', e.id, 'stance', e.stance, 'span', json_object(
            'id', s.id, 'start', s.start, 'end', s."end", 'quote', s.quote,
            'anchor_state', s.anchor_state, 'source', json_object(
              'id', so.id, 'title', so.title, 'publisher', so.publisher, 'url', so.url,
              'reliability', so.reliability))))
     FROM (SELECT id, stance, span_id FROM claims_evidence WHERE claim_id = c.id ORDER BY id) e
     JOIN sources_span s ON s.id = e.span_id
     JOIN sources_source so ON so.id = s.source_id) AS evidence
FROM claims_claim c
JOIN auth_user a ON a.id = c.author_id
LEFT JOIN auth_user r ON r.id = c.reviewer_id
WHERE c.status = 'published'
ORDER BY c.created_at DESC, c.id DESC
LIMIT 50
"""


# ---------------------------------------------------------------------------------------------
# The floor: the same page with sqlite3 and orjson, nothing else


def _stamp(value: str | None) -> str | None:
    if value is None:
        return None
    return value.replace(" ", "T") + "Z"


def floor_page(connection: sqlite3.Connection) -> bytes:
    rows = connection.execute(
        "SELECT c.id, c.text, c.status, c.verdict, c.confidence, c.period_start, c.period_end, "
        "a.username, r.username, c.version, c.needs_attention, c.supersedes_id, c.created_at, "
        "c.updated_at, c.submitted_at, c.published_at FROM claims_claim c "
        "JOIN auth_user a ON a.id = c.author_id LEFT JOIN auth_user r ON r.id = c.reviewer_id "
        "WHERE c.status = 'published' ORDER BY c.created_at DESC, c.id DESC LIMIT ?",
        (PAGE_SIZE + 1,),
    ).fetchall()
    more = len(rows) > PAGE_SIZE
    rows = rows[:PAGE_SIZE]
    ids = [row[0] for row in rows]
    marks = ",".join("?" * len(ids))
    evidence: dict[int, list] = {}
    for (claim_id, evidence_id, stance, span_id, start, end, quote, state, source_id, title,
         publisher, url, reliability) in connection.execute(
        "SELECT e.claim_id, e.id, e.stance, s.id, s.start, s.\"end\", s.quote, s.anchor_state, "
        "so.id, so.title, so.publisher, so.url, so.reliability FROM claims_evidence e "
        "JOIN sources_span s ON s.id = e.span_id JOIN sources_source so ON so.id = s.source_id "
        f"WHERE e.claim_id IN ({marks}) ORDER BY e.id", ids,
    ):
        evidence.setdefault(claim_id, []).append({
            "id": evidence_id, "stance": stance, "span": {
                "id": span_id, "start": start, "end": end, "quote": quote, "anchor_state": state,
                "source": {"id": source_id, "title": title, "publisher": publisher, "url": url,
                           "reliability": reliability}}})
    entities: dict[int, list] = {}
    for claim_id, entity_id, slug, name, kind in connection.execute(
        "SELECT ce.claim_id, en.id, en.slug, en.name, en.kind FROM claims_claim_entities ce "
        f"JOIN claims_entity en ON en.id = ce.entity_id WHERE ce.claim_id IN ({marks}) "
        "ORDER BY en.name, en.id", ids,
    ):
        entities.setdefault(claim_id, []).append({"id": entity_id, "slug": slug, "name": name, "kind": kind})
    results = [
        {
            "id": row[0], "text": row[1], "status": row[2], "verdict": row[3],
            "confidence": row[4] or None, "period_start": row[5], "period_end": row[6],
            "author": row[7], "reviewer": row[8], "version": row[9],
            "needs_attention": bool(row[10]), "supersedes": row[11],
            "created_at": _stamp(row[12]), "updated_at": _stamp(row[13]),
            "submitted_at": _stamp(row[14]), "published_at": _stamp(row[15]),
            "entities": entities.get(row[0], []), "evidence": evidence.get(row[0], []),
        }
        for row in rows
    ]
    next_link = None
    if more and rows:
        cursor = json.dumps({"o": "-created_at", "v": _stamp(rows[-1][12]), "i": rows[-1][0], "r": 0})
        token = base64.urlsafe_b64encode(cursor.encode()).decode().rstrip("=")
        next_link = f"http://127.0.0.1:{OURS_PORT}/api/v1/claims/?cursor={token}&status=published"
    return orjson.dumps({"next": next_link, "previous": None, "results": results})


def measure_floor(db: Path, iterations: int) -> tuple[float, float]:
    """Median CPU and wall milliseconds per page, built in this process."""
    connection = sqlite3.connect(f"file:{db}?mode=ro", uri=True, check_same_thread=False)
    floor_page(connection)
    cpu, wall = [], []
    for _ in range(iterations):
        started_cpu, started = time.process_time(), time.perf_counter()
        floor_page(connection)
        cpu.append((time.process_time() - started_cpu) * 1000)
        wall.append((time.perf_counter() - started) * 1000)
    connection.close()
    return statistics.median(cpu), statistics.median(wall)


# ---------------------------------------------------------------------------------------------
# Servers


def ensure_datasette() -> Path:
    executable = DATASETTE_VENV / "bin" / "datasette"
    if not executable.exists():
        subprocess.run([sys.executable, "-m", "venv", str(DATASETTE_VENV)], check=True)
        subprocess.run([str(DATASETTE_VENV / "bin" / "pip"), "install", "-q", f"datasette=={DATASETTE_VERSION}"], check=True)
    return executable


def wait_for(url: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise SystemExit(f"no answer from {url}")


def fetch(url: str) -> bytes:
    with urllib.request.urlopen(url, timeout=30) as response:
        return response.read()


def start_ours(db: Path, workers: int, port: int = OURS_PORT, conn_max_age: str | None = None,
               worker_class: str | None = None, threads: int | None = None) -> subprocess.Popen:
    """gunicorn as the project's ``gunicorn.conf.py`` configures it (threaded workers, kept-alive
    connections), with ``workers`` workers; ``worker_class`` and ``threads`` override the
    configuration's."""
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{db}",
        "DJANGO_SETTINGS_MODULE": "bench_settings",
        "PYTHONPATH": f"{BENCH_DIR}{os.pathsep}{PROJECT_DIR}",
        "DEBUG": "false",
        # The throttle runs as in production, with a rate the benchmark never reaches (per
        # second, so that its history of request times stays as short as a real one).
        "THROTTLE_ANON": "1000000/second",
        "THROTTLE_USER": "1000000/second",
        "LOG_LEVEL": "ERROR",
    }
    env.pop("CONN_MAX_AGE", None)
    env.pop("GUNICORN_THREADS", None)
    if threads is not None:
        env["GUNICORN_THREADS"] = str(threads)
    if conn_max_age is not None:
        env["CONN_MAX_AGE"] = conn_max_age
    return subprocess.Popen(
        [str(PROJECT_DIR / ".venv" / "bin" / "gunicorn"), "project.wsgi",
         "--config", str(PROJECT_DIR / "gunicorn.conf.py"), "--workers", str(workers),
         *(["--worker-class", worker_class] if worker_class else []),
         "--bind", f"127.0.0.1:{port}", "--chdir", str(PROJECT_DIR), "--log-level", "warning"],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )


def start_datasette(db: Path, out_dir: Path) -> tuple[subprocess.Popen, str]:
    executable = ensure_datasette()
    name = db.stem
    metadata = out_dir / "datasette-metadata.json"
    metadata.write_text(json.dumps({
        "databases": {name: {"queries": {"newest_published": {"sql": CANNED_SQL.strip()}}}}
    }, indent=2))
    process = subprocess.Popen(
        [str(executable), "serve", str(db), "--metadata", str(metadata), "--host", "127.0.0.1",
         "--port", str(DATASETTE_PORT), "--setting", "sql_time_limit_ms", "10000"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    return process, f"http://127.0.0.1:{DATASETTE_PORT}/{name}/newest_published.json?_shape=array&_json=entities&_json=evidence"


def run_wrk(url: str, seconds: int, connections: int, threads: int) -> dict:
    output = subprocess.run(
        ["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--latency", url],
        capture_output=True, text=True, check=True,
    ).stdout
    requests = int(re.search(r"(\d+) requests in", output).group(1))
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    p50 = re.search(r"50%\s+([\d.]+)(us|ms|s)", output)
    scale = {"us": 0.001, "ms": 1.0, "s": 1000.0}[p50.group(2)]
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    return {"requests": requests, "rps": rps, "p50_ms": float(p50.group(1)) * scale,
            "errors": int(errors.group(1)) if errors else 0}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", required=True, type=Path)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--floor-iterations", type=int, default=300)
    parser.add_argument("--framework", action="store_true",
                        help="also load /bench/empty-drf/ and /bench/empty-django/ (the same stack answering {}) and "
                             "/bench/page-sized-django/ (Django answering a constant body of the page's size)")
    parser.add_argument("--record", action="store_true", help="append the figures to bench/RESULTS.md")
    args = parser.parse_args(argv)
    db = args.db.resolve()
    out_dir = BENCH_DIR / "out"
    out_dir.mkdir(exist_ok=True)

    ours = start_ours(db, args.workers)
    # The same server opening a database connection per request (CONN_MAX_AGE=0), against
    # the project's default of keeping connections (CONN_MAX_AGE=60).
    persistent = start_ours(db, args.workers, PERSISTENT_PORT, conn_max_age="0")
    # gunicorn's default worker, which closes the connection after each response.
    sync = start_ours(db, args.workers, SYNC_PORT, worker_class="sync")
    # Four threads a worker, against the one gunicorn.conf.py gives a SQLite database.
    threaded = start_ours(db, args.workers, THREADS_PORT, threads=4)
    datasette, datasette_url = start_datasette(db, out_dir)
    base = f"http://127.0.0.1:{OURS_PORT}"
    urls = {
        "api": f"{base}/api/v1/claims/?status=published",
        "drf": f"{base}/bench/claims-drf/?status=published",
        "fast": f"{base}/bench/claims-fast/?status=published",
        "datasette": datasette_url,
        "api-persistent": f"http://127.0.0.1:{PERSISTENT_PORT}/api/v1/claims/?status=published",
        "api-sync": f"http://127.0.0.1:{SYNC_PORT}/api/v1/claims/?status=published",
        "api-threads": f"http://127.0.0.1:{THREADS_PORT}/api/v1/claims/?status=published",
    }
    if args.framework:
        urls["empty-drf"] = f"{base}/bench/empty-drf/?status=published"
        urls["empty-django"] = f"{base}/bench/empty-django/?status=published"
        urls["page-sized-django"] = f"{base}/bench/page-sized-django/?status=published"
    pids = {name: ours.pid for name in urls}
    pids["datasette"] = datasette.pid
    pids["api-persistent"] = persistent.pid
    pids["api-sync"] = sync.pid
    pids["api-threads"] = threaded.pid
    try:
        for url in urls.values():
            wait_for(url)
        # Same page everywhere: the two forced paths give the endpoint's bytes; Datasette
        # gives the same claims with the same evidence and entities.
        api, drf, fast = (
            fetch(urls[name]).replace(f"/bench/claims-{name}/".encode(), b"/api/v1/claims/")
            for name in ("api", "drf", "fast")
        )
        same_bytes_persistent = fetch(urls["api-persistent"]).replace(
            f":{PERSISTENT_PORT}/".encode(), f":{OURS_PORT}/".encode()
        ) == api
        ours_page = json.loads(fast)["results"]
        theirs = json.loads(fetch(datasette_url))
        same_bytes_sync = fetch(urls["api-sync"]).replace(f":{SYNC_PORT}/".encode(), f":{OURS_PORT}/".encode()) == api
        same_bytes_threads = fetch(urls["api-threads"]).replace(
            f":{THREADS_PORT}/".encode(), f":{OURS_PORT}/".encode()
        ) == api
        same_bytes = api == drf == fast and same_bytes_persistent and same_bytes_sync and same_bytes_threads
        same_page = [
            (claim["id"], [e["span"]["quote"] for e in claim["evidence"]], [e["slug"] for e in claim["entities"]])
            for claim in ours_page
        ] == [
            (claim["id"], [e["span"]["quote"] for e in claim["evidence"]], [e["slug"] for e in claim["entities"]])
            for claim in theirs
        ]
        print(f"page: {len(fast):,} bytes, {len(ours_page)} claims; api == drf == fast bytes: {same_bytes}; "
              f"Datasette returns the same claims, evidence and entities: {same_page}", file=sys.stderr)
        for url in urls.values():  # warm up: imports, caches, page cache
            run_wrk(url, 2, args.connections, args.threads)

        samples: dict[str, list[dict]] = {name: [] for name in urls}
        floor_cpu, floor_wall = [], []
        names = list(urls)
        for round_number in range(args.rounds):
            order = names[round_number % len(names):] + names[: round_number % len(names)]
            for name in order:
                before = settled_cpu_seconds(pids[name])
                result = run_wrk(urls[name], args.seconds, args.connections, args.threads)
                result["cpu_ms"] = (settled_cpu_seconds(pids[name]) - before) * 1000 / max(result["requests"], 1)
                cpu, wall = measure_floor(db, args.floor_iterations)
                floor_cpu.append(cpu)
                floor_wall.append(wall)
                result["vs_floor"] = result["cpu_ms"] / cpu
                samples[name].append(result)
                print(f"round {round_number + 1} {name:>12}: {result['rps']:8.1f} req/s  "
                      f"{result['cpu_ms']:6.2f} CPU ms/req  p50 {result['p50_ms']:6.1f} ms  "
                      f"floor after it {cpu:5.2f} CPU ms"
                      f"{'  errors ' + str(result['errors']) if result['errors'] else ''}", file=sys.stderr)
            for name in order:
                samples[name][-1]["vs_datasette"] = samples[name][-1]["cpu_ms"] / samples["datasette"][-1]["cpu_ms"]
    finally:
        for process in (ours, persistent, sync, threaded, datasette):
            process.terminate()
        for process in (ours, persistent, sync, threaded, datasette):
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()

    def med(name: str, key: str) -> float:
        return statistics.median(sample[key] for sample in samples[name])

    floor = statistics.median(floor_cpu)
    rows = []
    labels = {
        "api": "ours, /api/v1/claims/ as wired",
        "drf": "ours, through ClaimSerializer",
        "fast": "ours, through claims.fast_list",
        "datasette": "Datasette 0.65, canned query",
        "api-persistent": "ours, /api/v1/claims/ with CONN_MAX_AGE=0",
        "api-sync": "ours, /api/v1/claims/ on gunicorn's sync workers (no keep-alive)",
        "api-threads": "ours, /api/v1/claims/ with 4 threads a worker",
        "empty-drf": "ours, the list's DRF stack answering {}",
        "empty-django": "ours, Django and middleware answering {}",
        "page-sized-django": "ours, Django and middleware answering a constant 81 KB",
    }
    for name in names:
        rows.append([labels[name], f"{med(name, 'rps'):.0f}", f"{med(name, 'p50_ms'):.1f}", f"{med(name, 'cpu_ms'):.2f}",
                     f"{med(name, 'vs_datasette'):.2f}x", f"{med(name, 'vs_floor'):.2f}x"])
    rows.append(["floor: sqlite3 + orjson in-process", "", f"{statistics.median(floor_wall):.2f}", f"{floor:.2f}",
                 "", "1.00x"])
    report = table(["server", "req/s", "p50 ms", "CPU ms/req", "vs Datasette CPU", "vs floor CPU"], rows)
    summary = (
        f"{db.name}: page of {PAGE_SIZE} claims, {len(fast):,} bytes. wrk -t{args.threads} -c{args.connections} "
        f"-d{args.seconds}s, {args.rounds} rounds, targets taking turns; medians over the rounds, of the CPU figures "
        "and of the ratios (each run against the floor measured right after it, and against Datasette's run in the "
        f"same round). gunicorn {args.workers} workers as gunicorn.conf.py sets them (one thread a worker on SQLite, "
        "connections kept alive) unless said, "
        "database connections kept (CONN_MAX_AGE=60, the default) or opened per request (CONN_MAX_AGE=0); "
        "Datasette one process (its default). "
        f"Bytes identical across all of ours (api, drf, fast, CONN_MAX_AGE=0, sync workers, 4 threads): {same_bytes}. Datasette returns the same claims, evidence "
        f"and entities: {same_page}."
    )
    publish("Claim list page: ours against Datasette and the floor", __file__, argv, summary, report, record=args.record)
    return 0


if __name__ == "__main__":
    sys.exit(main())
