"""How long a webhook's receiver waits for its events while another webhook's receiver is slow.

    python bench/webhook_latency.py [--baseline REV] [--events 10] [--pause 1.0] [--turns 2]
                                    [--slow 1] [--threads 4] [--stream-seconds 6] [--gap 0.2] [--record]

Webhooks on a fresh SQLite database (made, migrated and deleted for each run): ``--slow``
receivers (1 by default) take ``--pause`` seconds to answer each POST, and a last one
answers at once; the worker has ``--threads`` threads (``WEBHOOK_CONCURRENCY``). Two runs
each turn:

- a backlog: ``--events`` public events are numbered, then ``feed.webhooks.deliver_all``
  runs round after round until the fast receiver holds every event: the seconds that took,
  and how many of the slow receiver's answers came before;
- a stream: the long-running worker (``feed.worker.run_worker``, in a thread, a look every
  0.05 s when idle) while a writer commits an event every ``--gap`` seconds for
  ``--stream-seconds``: how long each event took from its commit to the fast receiver
  (median and slowest).

With ``--baseline``, the same runs of another commit (a git worktree made for it), in turns
with this checkout.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_support import PROJECT_DIR, median, publish, table  # noqa: E402

PYTHON = str(PROJECT_DIR / ".venv" / "bin" / "python")

# Run in a process of its own, from the checkout measured (its argument).
RUN = r'''
import json, os, sys, tempfile, threading, time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

checkout, events, pause = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
stream_seconds, gap, slow, threads = float(sys.argv[4]), float(sys.argv[5]), int(sys.argv[6]), sys.argv[7]
os.chdir(checkout)
sys.path.insert(0, checkout)
database = tempfile.mktemp(suffix=".sqlite3")
os.environ.update(DJANGO_SETTINGS_MODULE="project.settings", DATABASE_URL=f"sqlite:///{database}",
                  SOURCE_FETCH_ALLOW_PRIVATE="1", WEBHOOK_CONCURRENCY=threads)
import django

django.setup()
from django.core.management import call_command

call_command("migrate", verbosity=0)
from feed import webhooks
from feed.models import Event, Webhook
from feed.sequencing import sequence_pending

answered = {"slow": [], "fast": []}


def receiver(name, seconds):
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def do_POST(self):
            self.rfile.read(int(self.headers["Content-Length"]))
            time.sleep(seconds)
            answered[name].append(time.monotonic())
            self.send_response(200)
            self.send_header("Content-Length", "0")
            self.end_headers()

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return f"http://127.0.0.1:{server.server_port}/hook"


for _ in range(slow):
    Webhook.objects.create(url=receiver("slow", pause), secret="s" * 20)
Webhook.objects.create(url=receiver("fast", 0.0), secret="s" * 20)
Event.objects.bulk_create(Event(type="claim.published", claim=n, version=1, public=True) for n in range(events))
sequence_pending()
started = time.monotonic()
while len(answered["fast"]) < events and time.monotonic() - started < 600:
    webhooks.deliver_all()
done = answered["fast"][-1]
result = {"seconds": done - started, "slow_before": sum(1 for moment in answered["slow"] if moment <= done)}

# The stream: the slow receiver still has its backlog's answers to give.
from django.db import connections
from feed import worker

answered["fast"].clear()
stop = threading.Event()
thread = threading.Thread(target=lambda: worker.run_worker(interval=0.05, should_stop=stop.is_set,
                                                           report=lambda line: None))
thread.start()
written = []
ends = time.monotonic() + stream_seconds
while time.monotonic() < ends:
    Event.objects.create(type="claim.published", claim=len(written), version=1, public=True)
    written.append(time.monotonic())
    time.sleep(gap)
deadline = time.monotonic() + 120
while len(answered["fast"]) < len(written) and time.monotonic() < deadline:
    time.sleep(0.01)
stop.set()
thread.join()
connections.close_all()
waits = sorted(answer - commit for commit, answer in zip(written, answered["fast"]))
result.update(stream_events=len(written), stream_received=len(answered["fast"]),
              stream_median=waits[len(waits) // 2], stream_slowest=waits[-1])
print(json.dumps(result))
os.unlink(database)
'''


def measure(checkout: Path, args: argparse.Namespace) -> dict:
    result = subprocess.run([PYTHON, "-c", RUN, str(checkout), str(args.events), str(args.pause), str(args.stream_seconds),
                             str(args.gap), str(args.slow), str(args.threads)],
                            capture_output=True, text=True, check=False)
    if result.returncode:
        raise SystemExit(f"{checkout}: the run failed:\n{result.stderr[-3000:]}")
    return json.loads(result.stdout.strip().splitlines()[-1])


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--baseline", help="a commit to measure in turns with this checkout")
    parser.add_argument("--events", type=int, default=10)
    parser.add_argument("--pause", type=float, default=1.0, help="seconds the slow receiver takes to answer")
    parser.add_argument("--turns", type=int, default=2)
    parser.add_argument("--slow", type=int, default=1, help="how many webhooks have the slow receiver")
    parser.add_argument("--threads", type=int, default=4, help="WEBHOOK_CONCURRENCY of the worker")
    parser.add_argument("--stream-seconds", type=float, default=6.0, help="how long the writer writes in the stream run")
    parser.add_argument("--gap", type=float, default=0.2, help="seconds between two events of the stream run")
    parser.add_argument("--record", action="store_true")
    args = parser.parse_args(argv)

    checkouts = {"this checkout": PROJECT_DIR}
    with tempfile.TemporaryDirectory() as scratch:
        if args.baseline:
            worktree = Path(scratch) / "baseline"
            subprocess.run(["git", "-C", str(PROJECT_DIR), "worktree", "add", "-q", "--detach", str(worktree), args.baseline],
                           check=True)
            checkouts[args.baseline] = worktree
        try:
            runs: dict[str, list[dict]] = {name: [] for name in checkouts}
            for _ in range(args.turns):
                for name, checkout in checkouts.items():
                    runs[name].append(measure(checkout, args))
        finally:
            if args.baseline:
                subprocess.run(["git", "-C", str(PROJECT_DIR), "worktree", "remove", "--force", str(checkouts[args.baseline])],
                               check=False)
    rows = [
        [name, ", ".join(f"{run['seconds']:.2f}" for run in found), f"{median([run['seconds'] for run in found]):.2f}",
         ", ".join(str(run["slow_before"]) for run in found)]
        for name, found in runs.items()
    ]
    slow = "the first webhook's receiver takes" if args.slow == 1 else f"the first {args.slow} webhooks' receivers take"
    summary = (
        f"{args.slow + 1} webhooks on SQLite, {args.events} events each, a worker of {args.threads} threads; {slow} "
        f"{args.pause:g} s to answer, the last one's answers at once; `deliver_all` rounds until it holds every event, "
        f"{args.turns} turns, in turns. Then the stream: the long-running worker while an event is committed every "
        f"{args.gap:g} s for {args.stream_seconds:g} s; seconds from an event's commit to the fast receiver."
    )
    report = table(["code", "seconds until the fast receiver has every event, each turn", "median",
                    "slow answers before it, each turn"], rows)
    stream_rows = [
        [name, ", ".join(f"{run['stream_received']}/{run['stream_events']}" for run in found),
         ", ".join(f"{run['stream_median']:.2f}" for run in found), ", ".join(f"{run['stream_slowest']:.2f}" for run in found)]
        for name, found in runs.items()
    ]
    report += "\n\n" + table(["code", "stream: events received, each turn", "median wait s, each turn",
                               "slowest wait s, each turn"], stream_rows)
    title = "a slow receiver" if args.slow == 1 else f"{args.slow} slow receivers"
    publish(f"Webhooks: {title} beside a fast one", __file__, argv, summary, report, record=args.record)
    return 0


if __name__ == "__main__":
    sys.exit(main())
