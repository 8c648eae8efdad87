"""Mixed load through gunicorn: anonymous readers and analysts and reviewers writing at once.

For ``--seconds`` (60), ``--readers`` (32) anonymous clients read (claim lists, filtered
lists, claim details, full-text search, the changes feed, source lists) while
``--analysts`` (4) create claims with evidence, edit and submit them and ``--reviewers``
(2) take claims from the review queue and decide. Each client is a closed loop on a kept-
alive HTTP connection, pausing ``--think`` seconds (default 0.05) between requests; its
first request waits a random part of one pause, so that the clients do not all start in
the same millisecond (``arrive``). The
server is gunicorn as ``gunicorn.conf.py`` configures it, on a corpus of ``--claims``
synthetic claims made by ``generate.py`` (kept in bench/data/ and reused with ``--reuse``).

Reports, per operation: requests, throughput, p50 and p99 latency in milliseconds, and
errors (a 5xx, a 429 or 503, a broken connection: the targets allow none); 4xx answers of
the workflow (a 409 when two reviewers take the same claim) are counted apart as refusals.

    .venv/bin/python bench/mixed_load.py --sqlite bench/data/mixed-20k.sqlite3 --record
    .venv/bin/python bench/mixed_load.py --database-url postgres://postgres@127.0.0.1:5432/claimbase_bench_mixed --record
    .venv/bin/python bench/mixed_load.py --database-url postgres://postgres@127.0.0.1:5432/claimbase_bench_mixed \\
        --replica-url postgres://postgres@127.0.0.1:5433/claimbase_bench_mixed --reuse --record
"""

from __future__ import annotations

import argparse
import http.client
import json
import multiprocessing
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

from bench_support import PROJECT_DIR, publish, table

DEFAULT_PASSWORD = "claimbase-bench"
READ_TARGET_MS, WRITE_TARGET_MS = 100, 300
ANALYSTS = ("analyst", "analyst2", "analyst3", "analyst4")
REVIEWERS = ("reviewer", "reviewer2")


# ---------------------------------------------------------------------------------------------
# HTTP


class Client:
    """One kept-alive connection; ``call`` returns (status, parsed JSON or None)."""

    def __init__(self, port: int, token: str | None = None):
        self.port, self.token = port, token
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)

    def call(self, method: str, path: str, body: dict | None = None, headers: dict | None = None):
        sent = {"Accept": "application/json", **(headers or {})}
        if self.token:
            sent["Authorization"] = f"Token {self.token}"
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            sent["Content-Type"] = "application/json"
        try:
            self.connection.request(method, path, body=data, headers=sent)
            response = self.connection.getresponse()
            raw = response.read()
        except (OSError, http.client.HTTPException):
            self.connection.close()
            self.connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
            return 0, None, {}
        try:
            parsed = json.loads(raw) if raw else None
        except ValueError:
            parsed = None
        return response.status, parsed, dict(response.getheaders())


class Recorder:
    def __init__(self):
        # (operation, milliseconds, status, when it was sent: time.monotonic())
        self.samples: list[tuple[str, float, int, float]] = []

    def timed(self, client: Client, operation: str, method: str, path: str, body=None, headers=None):
        sent, started = time.monotonic(), time.perf_counter()
        status, parsed, answer_headers = client.call(method, path, body, headers)
        self.samples.append((operation, (time.perf_counter() - started) * 1000, status, sent))
        return status, parsed, answer_headers


# ---------------------------------------------------------------------------------------------
# The clients


def arrive(rng: random.Random, think: float) -> None:
    """A client's first request waits a random part of one pause, as the next ones do: started
    in the same millisecond, every client's first request would queue at once behind the
    server's threads, a burst that steady traffic never sends (with 38 clients and 8
    threads, those requests took 80-170 ms, the slowest of the run, and were most of each
    operation's 1%)."""
    time.sleep(rng.uniform(0, think))


def reader(port: int, world: dict, deadline: float, think: float, seed: int) -> list:
    rng, recorder, client = random.Random(seed), Recorder(), Client(port)
    arrive(rng, think)
    feed_after = max(0, world["last_seq"] - rng.randrange(0, 500))
    operations = ["list"] * 6 + ["filtered"] * 2 + ["detail"] * 6 + ["search"] * 3 + ["changes"] * 2 + ["sources"]
    while time.monotonic() < deadline:
        operation = rng.choice(operations)
        if operation == "list":
            recorder.timed(client, "read: claim list", "GET", "/api/v1/claims/?page_size=20")
        elif operation == "filtered":
            verdict = rng.choice(["supported", "refuted", "disputed"])
            recorder.timed(client, "read: filtered list", "GET", f"/api/v1/claims/?status=published&verdict={verdict}&page_size=20")
        elif operation == "detail":
            recorder.timed(client, "read: claim detail", "GET", f"/api/v1/claims/{rng.choice(world['public_ids'])}/")
        elif operation == "search":
            recorder.timed(client, "read: search", "GET", f"/api/v1/claims/?q={rng.choice(world['words'])}&page_size=20")
        elif operation == "changes":
            status, page, _ = recorder.timed(client, "read: changes feed", "GET", f"/api/v1/changes/?after={feed_after}&limit=100")
            if status == 200 and page["results"]:
                feed_after = page["results"][-1]["seq"]
        else:
            recorder.timed(client, "read: source list", "GET", "/api/v1/sources/?page_size=20")
        time.sleep(think)
    return recorder.samples


def analyst(port: int, world: dict, deadline: float, think: float, seed: int, token: str) -> list:
    rng, recorder, client = random.Random(seed), Recorder(), Client(port, token)
    arrive(rng, think)
    number = 0
    while time.monotonic() < deadline:
        number += 1
        source = rng.choice(world["sources"])
        start = rng.randrange(0, max(1, source["length"] - 120))
        body = {
            "text": f"Load claim {seed}-{number}: a checkable statement about sanctions.",
            "verdict": "supported",
            "confidence": "moderate",
            "evidence": [{"source": source["id"], "start": start, "end": start + 80, "stance": "supports"}],
        }
        status, claim, _ = recorder.timed(client, "write: create with evidence", "POST", "/api/v1/claims/", body)
        time.sleep(think)
        if status != 201:
            continue
        status, claim, headers = recorder.timed(
            client, "write: edit", "PATCH", f"/api/v1/claims/{claim['id']}/",
            {"text": body["text"] + " (edited)"}, {"If-Match": f'"claim-{claim["id"]}-v{claim["version"]}"'},
        )
        time.sleep(think)
        recorder.timed(client, "write: submit", "POST", f"/api/v1/claims/{claim['id'] if claim else 0}/submit/", {})
        time.sleep(think)
    return recorder.samples


def reviewer(port: int, world: dict, deadline: float, think: float, seed: int, token: str) -> list:
    rng, recorder, client = random.Random(seed), Recorder(), Client(port, token)
    arrive(rng, think)
    while time.monotonic() < deadline:
        status, page, _ = recorder.timed(client, "write: review queue", "GET", "/api/v1/review-queue/?page_size=10")
        time.sleep(think)
        if status != 200 or not page["results"]:
            continue
        claim = rng.choice(page["results"][:5])
        # The corpus's own claims in review may not be approvable (a verdict without its
        # evidence); the ones this benchmark wrote are, with a comment: the editorial checks
        # flag the numbers of their texts, which their quotes do not hold.
        if claim["text"].startswith("Load claim") and rng.random() < 0.8:
            recorder.timed(client, "write: decide", "POST", f"/api/v1/claims/{claim['id']}/approve/",
                           {"comment": "Read against its source; the numbers are the benchmark's labels."})
        else:
            recorder.timed(client, "write: decide", "POST", f"/api/v1/claims/{claim['id']}/request-changes/",
                           {"comment": "Quote a second source."})
        time.sleep(think)
    return recorder.samples


def _run_group(kind: str, count: int, port: int, world: dict, deadline: float, think: float, seed: int,
               tokens: dict, queue) -> None:
    """One process: ``count`` clients of one kind, in threads."""
    import threading

    results: list = []
    lock = threading.Lock()

    def run(index: int) -> None:
        if kind == "reader":
            samples = reader(port, world, deadline, think, seed + index)
        elif kind == "analyst":
            name = ANALYSTS[index % len(ANALYSTS)]
            samples = analyst(port, world, deadline, think, seed + index, tokens[name])
        else:
            name = REVIEWERS[index % len(REVIEWERS)]
            samples = reviewer(port, world, deadline, think, seed + index, tokens[name])
        with lock:
            results.extend(samples)

    threads = [threading.Thread(target=run, args=(index,)) for index in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    queue.put(results)


# ---------------------------------------------------------------------------------------------
# Set-up, server, report


def prepare_database(args, url: str) -> None:
    if not args.reuse:
        target = ["--sqlite", args.sqlite] if args.sqlite else ["--database-url", args.database_url]
        subprocess.run([sys.executable, str(PROJECT_DIR / "bench" / "generate.py"), "--claims", str(args.claims), *target],
                       check=True, cwd=PROJECT_DIR)
    code = (
        "from django.contrib.auth.models import Group, User\n"
        "from django.core.management import call_command\n"
        "call_command('migrate', verbosity=0)\n"
        "user, _ = User.objects.get_or_create(username='analyst4', defaults={'is_staff': True})\n"
        f"user.set_password({DEFAULT_PASSWORD!r}); user.save()\n"
        "user.groups.add(Group.objects.get(name='Analysts'))\n"
    )
    subprocess.run([sys.executable, "manage.py", "shell", "-c", code], check=True, cwd=PROJECT_DIR,
                   env={**os.environ, "DATABASE_URL": url})


def start_server(url: str, replica_url: str | None, port: int) -> subprocess.Popen:
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "BIND": f"127.0.0.1:{port}",
        "THROTTLE_ANON": "1000000/second",
        "THROTTLE_USER": "1000000/second",
        "SECRET_KEY": "bench-only-secret-key-" + "x" * 40,
        "DEBUG": "0",
    }
    env.pop("DATABASE_REPLICA_URLS", None)
    if replica_url:
        env["DATABASE_REPLICA_URLS"] = replica_url
    server = subprocess.Popen([str(PROJECT_DIR / ".venv" / "bin" / "gunicorn"), "project.wsgi", "-c", "gunicorn.conf.py"],
                              cwd=PROJECT_DIR, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                              start_new_session=True)
    for _ in range(100):
        try:
            if Client(port).call("GET", "/api/v1/sources/?page_size=1")[0] == 200:
                return server
        except OSError:
            pass
        time.sleep(0.2)
    server.terminate()
    raise SystemExit("gunicorn did not start: " + server.stderr.read().decode()[-2000:])


def discover(port: int) -> tuple[dict, dict]:
    """Tokens, public claim ids, search words, sources to quote, the feed's last seq."""
    tokens = {}
    for name in (*ANALYSTS, *REVIEWERS, "admin"):
        status, body, _ = Client(port).call("POST", "/api/v1/auth/token/", {"username": name, "password": DEFAULT_PASSWORD})
        assert status == 200, (name, status, body)
        tokens[name] = body["token"]
    admin = Client(port, tokens["admin"])
    _, page, _ = admin.call("GET", "/api/v1/claims/?status=published&page_size=200")
    public_ids = [claim["id"] for claim in page["results"]]
    words = sorted({word.strip(".,;:()").lower() for claim in page["results"] for word in claim["text"].split()
                    if len(word) > 5 and word.isascii() and word.strip(".,;:()").isalpha()})[:200]
    _, sources, _ = admin.call("GET", "/api/v1/sources/?page_size=50")
    quoted = [{"id": s["id"], "length": s["text_length"]} for s in sources["results"] if s["text_length"] > 400]
    _, feed, _ = admin.call("GET", "/api/v1/changes/?after=0&limit=1")
    last_seq = 0
    while feed and feed.get("has_more"):
        last_seq = feed["results"][-1]["seq"]
        _, feed, _ = admin.call("GET", f"/api/v1/changes/?after={last_seq}&limit=1000")
    return {"public_ids": public_ids, "words": words or ["iran"], "sources": quoted, "last_seq": last_seq}, tokens


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


def slowest(samples: list, started: float, count: int = 5) -> str:
    """Each operation's slowest requests, with when they were sent: a cluster at one moment
    points at the server (or the benchmark) rather than at the operation."""
    lines = [f"The {count} slowest requests of each operation (ms, at second):"]
    for operation in sorted({sample[0] for sample in samples}):
        worst = sorted((sample for sample in samples if sample[0] == operation), key=lambda sample: -sample[1])[:count]
        lines.append(f"  {operation}: " + ", ".join(f"{ms:.0f} at {sent - started:.1f}" for _, ms, _, sent in worst))
    return "\n".join(lines)


def report(samples: list, seconds: float) -> tuple[str, bool]:
    by_operation: dict[str, list] = {}
    for operation, ms, status, _ in samples:
        by_operation.setdefault(operation, []).append((ms, status))
    rows, all_met = [], True
    for operation in sorted(by_operation):
        entries = by_operation[operation]
        latencies = [ms for ms, _ in entries]
        errors = sum(1 for _, status in entries if status == 0 or status >= 500 or status == 429)
        refused = sum(1 for _, status in entries if 400 <= status < 500 and status != 429)
        p99 = percentile(latencies, 0.99)
        target = READ_TARGET_MS if operation.startswith("read") else WRITE_TARGET_MS
        met = errors == 0 and p99 <= target
        all_met = all_met and met
        rows.append([operation, len(entries), f"{len(entries) / seconds:.1f}", f"{percentile(latencies, 0.5):.1f}",
                     f"{p99:.1f}", f"<= {target}", errors, refused, "yes" if met else "no"])
    total = len(samples)
    errors = sum(1 for _, _, status, _ in samples if status == 0 or status >= 500 or status == 429)
    rows.append(["all", total, f"{total / seconds:.1f}", "", "", "", errors,
                 sum(1 for _, _, s, _ in samples if 400 <= s < 500 and s != 429), ""])
    return table(["operation", "requests", "per second", "p50 ms", "p99 ms", "target p99", "errors",
                  "refused (4xx)", "met"], rows), all_met


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    target = parser.add_mutually_exclusive_group(required=True)
    target.add_argument("--sqlite", help="the SQLite file (made by generate.py unless --reuse)")
    target.add_argument("--database-url", help="postgres://... (made by generate.py unless --reuse)")
    parser.add_argument("--replica-url", help="a streaming replica of --database-url: DATABASE_REPLICA_URLS")
    parser.add_argument("--claims", type=int, default=20_000)
    parser.add_argument("--reuse", action="store_true", help="use the database as it is")
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--readers", type=int, default=32)
    parser.add_argument("--analysts", type=int, default=4)
    parser.add_argument("--reviewers", type=int, default=2)
    parser.add_argument("--think", type=float, default=0.05, help="seconds each client pauses between requests")
    parser.add_argument("--port", type=int, default=8771)
    parser.add_argument("--record", action="store_true")
    args = parser.parse_args(argv)

    url = args.database_url or f"sqlite:///{Path(args.sqlite).resolve()}"
    os.environ.setdefault("BENCH_PASSWORD", DEFAULT_PASSWORD)
    prepare_database(args, url)
    server = start_server(url, args.replica_url, args.port)
    try:
        world, tokens = discover(args.port)
        deadline = time.monotonic() + args.seconds
        queue = multiprocessing.Queue()
        reader_processes = 3
        groups = [("reader", args.readers // reader_processes + (1 if index < args.readers % reader_processes else 0))
                  for index in range(reader_processes)]
        groups += [("analyst", args.analysts), ("reviewer", args.reviewers)]
        processes = [
            multiprocessing.Process(target=_run_group, args=(kind, count, args.port, world, deadline, args.think,
                                                             1000 * index, tokens, queue))
            for index, (kind, count) in enumerate(groups) if count
        ]
        started = time.monotonic()
        for process in processes:
            process.start()
        samples = []
        for _ in processes:
            samples.extend(queue.get())
        for process in processes:
            process.join()
        elapsed = time.monotonic() - started
        print(slowest(samples, started))
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
    engine = "SQLite" if args.sqlite else ("PostgreSQL with a streaming replica" if args.replica_url else "PostgreSQL")
    body, met = report(samples, elapsed)
    summary = (
        f"{engine}, {args.claims:,}-claim corpus: {args.readers} anonymous readers, {args.analysts} analysts, "
        f"{args.reviewers} reviewers for {elapsed:.0f} s, {args.think * 1000:.0f} ms pause between a client's "
        f"requests, each client's first after a random part of one; gunicorn.conf.py defaults; throttle counts in "
        f"{'Redis (CACHE_URL)' if os.environ.get('CACHE_URL') else 'the database cache'}. Targets (0 errors, read p99 <= {READ_TARGET_MS} ms, write p99 <= "
        f"{WRITE_TARGET_MS} ms): {'met' if met else 'not met'}."
    )
    publish(f"Mixed load ({engine})", __file__, argv, summary, body, record=args.record)
    return 0


if __name__ == "__main__":
    sys.exit(main())
