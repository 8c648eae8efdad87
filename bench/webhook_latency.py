"""How long a webhook's receiver waits for its events while another webhook's receiver is slow.

    python bench/webhook_latency.py [--baseline REV] [--events 10] [--pause 1.0] [--turns 2] [--record]

Two webhooks on a fresh SQLite database (made, migrated and deleted for each run): the first
one's receiver takes ``--pause`` seconds to answer each POST, the second's answers at once.
``--events`` public events are numbered, then ``feed.webhooks.deliver_all`` runs round
after round, as the worker does, until the fast receiver holds every event: the seconds
that took, and how many of the slow receiver's answers came before. With ``--baseline``,
the same runs of another commit (a git worktree made for it), in turns with this checkout.
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
os.chdir(checkout)
sys.path.insert(0, checkout)
database = tempfile.mktemp(suffix=".sqlite3")
os.environ.update(DJANGO_SETTINGS_MODULE="project.settings", DATABASE_URL=f"sqlite:///{database}",
                  SOURCE_FETCH_ALLOW_PRIVATE="1")
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


Webhook.objects.create(url=receiver("slow", pause), secret="s" * 20)
Webhook.objects.create(url=receiver("fast", 0.0), secret="s" * 20)
Event.objects.bulk_create(Event(type="claim.published", claim=n, version=1, public=True) for n in range(events))
sequence_pending()
started = time.monotonic()
while len(answered["fast"]) < events and time.monotonic() - started < 600:
    webhooks.deliver_all()
done = answered["fast"][-1]
print(json.dumps({"seconds": done - started, "slow_before": sum(1 for moment in answered["slow"] if moment <= done)}))
os.unlink(database)
'''


def measure(checkout: Path, events: int, pause: float) -> dict:
    result = subprocess.run([PYTHON, "-c", RUN, str(checkout), str(events), str(pause)],
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
                    runs[name].append(measure(checkout, args.events, args.pause))
        finally:
            if args.baseline:
                subprocess.run(["git", "-C", str(PROJECT_DIR), "worktree", "remove", "--force", str(checkouts[args.baseline])],
                               check=False)
    rows = [
        [name, ", ".join(f"{run['seconds']:.2f}" for run in found), f"{median([run['seconds'] for run in found]):.2f}",
         ", ".join(str(run["slow_before"]) for run in found)]
        for name, found in runs.items()
    ]
    summary = (
        f"Two webhooks on SQLite, {args.events} events each; the first webhook's receiver takes {args.pause:g} s "
        f"to answer, the second's answers at once; `deliver_all` rounds until the second holds every event, "
        f"{args.turns} turns, in turns."
    )
    report = table(["code", "seconds until the fast receiver has every event, each turn", "median",
                    "slow answers before it, each turn"], rows)
    publish("Webhooks: a slow receiver beside a fast one", __file__, argv, summary, report, record=args.record)
    return 0


if __name__ == "__main__":
    sys.exit(main())
