"""Helpers shared by the benchmark scripts: timing, statistics, CPU accounting, results."""

from __future__ import annotations

import datetime as dt
import os
import platform
import statistics
import subprocess
import time
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
PROJECT_DIR = BENCH_DIR.parent
DATA_DIR = BENCH_DIR / "data"
RESULTS_FILE = BENCH_DIR / "RESULTS.md"
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def median(values) -> float:
    return statistics.median(values)


def timed(function, repeat: int) -> list[float]:
    """Wall-clock milliseconds of ``repeat`` calls."""
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        function()
        samples.append((time.perf_counter() - started) * 1000)
    return samples


def process_tree(pid: int) -> list[int]:
    """``pid`` and all its descendants (gunicorn's master and workers)."""
    found = [pid]
    index = 0
    while index < len(found):
        try:
            children = Path(f"/proc/{found[index]}/task/{found[index]}/children").read_text().split()
        except OSError:
            children = []
        found.extend(int(child) for child in children)
        index += 1
    return found


def settled_cpu_seconds(root_pid: int, interval: float = 0.25, quiet: float = 0.005, limit: float = 15.0) -> float:
    """``cpu_seconds`` of a process tree once it has gone idle (less than ``quiet`` CPU
    seconds in ``interval``): requests still queued in a server when the load generator
    stops are counted to the run that sent them, not to the next one."""
    last = cpu_seconds(process_tree(root_pid))
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        time.sleep(interval)
        current = cpu_seconds(process_tree(root_pid))
        if current - last <= quiet:
            return current
        last = current
    return last


def cpu_seconds(pids: list[int]) -> float:
    """User + system CPU of these processes, from /proc/<pid>/stat."""
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        # After the command name: state is field 3, utime 14 and stime 15 (1-based).
        total += int(fields[11]) + int(fields[12])
    return total / CLOCK_TICKS


def machine_line() -> str:
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    load = os.getloadavg()
    return (
        f"{platform.node()}: {os.cpu_count()} cores, {cpu}, Python {platform.python_version()}, "
        f"load average {load[0]:.2f} at start"
    )


def git_revision() -> str:
    try:
        return subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=PROJECT_DIR, capture_output=True,
            text=True, check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def publish(title: str, script: str, argv, summary: str, report: str, *, record: bool) -> None:
    """Print a benchmark's figures; with ``record``, append them to RESULTS.md under
    ``title`` with the command that measured them (``script``: the benchmark's file)."""
    import sys

    print(summary)
    print(report)
    if record:
        arguments = argv if argv is not None else sys.argv[1:]
        # Settings read from the environment that change what is measured, as they were set:
        # the command shown must reproduce the run.
        settings = [f"{name}={os.environ[name]}" for name in MEASURED_SETTINGS if os.environ.get(name)]
        command = " ".join([*settings, f"python bench/{Path(script).name}", *arguments])
        append_results(title, command, summary + "\n\n" + report)


MEASURED_SETTINGS = ("CACHE_URL", "CONN_MAX_AGE", "GUNICORN_THREADS", "WEB_CONCURRENCY", "THROTTLE_ANON", "THROTTLE_USER")


def append_results(title: str, command: str, body: str) -> None:
    """Append one measured section to bench/RESULTS.md."""
    stamp = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    section = (
        f"\n## {title}\n\n"
        f"Measured {stamp} on commit {git_revision()}; {machine_line()}.\n\n"
        f"```\n{command}\n```\n\n{body.rstrip()}\n"
    )
    if not RESULTS_FILE.exists():
        RESULTS_FILE.write_text(
            "# Benchmark results\n\nEach section is one run of the command shown; "
            "the figures compared in a table were measured side by side in that run. "
            "See README.md for what each benchmark does.\n"
        )
    with RESULTS_FILE.open("a") as handle:
        handle.write(section)


def table(headers: list[str], rows: list[list]) -> str:
    lines = ["| " + " | ".join(headers) + " |", "|" + "|".join("---" for _ in headers) + "|"]
    lines += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]
    return "\n".join(lines)


def django_setup(database_url: str, settings_module: str = "bench_settings") -> None:
    """Configure Django in this process for ``database_url``; throttles out of the way."""
    import sys

    os.environ["DATABASE_URL"] = database_url
    os.environ["DJANGO_SETTINGS_MODULE"] = settings_module
    os.environ.setdefault("THROTTLE_ANON", "1000000/second")
    os.environ.setdefault("THROTTLE_USER", "1000000/second")
    for path in (str(BENCH_DIR), str(PROJECT_DIR)):
        if path not in sys.path:
            sys.path.insert(0, path)
    import django

    django.setup()


def database_url_of(value: str) -> str:
    """A path to a SQLite file, or a database URL, as a database URL."""
    if "://" in value:
        return value
    return f"sqlite:///{Path(value).resolve()}"


def client_for(username: str | None):
    """A Django test client, logged in as ``username`` (None: anonymous)."""
    from django.contrib.auth import get_user_model
    from django.test import Client

    client = Client()
    if username:
        client.force_login(get_user_model().objects.get(username=username))
    return client


def server_milliseconds(client, path: str, repeat: int) -> list[float]:
    """Wall-clock milliseconds of ``repeat`` GETs answered in this process (no network)."""
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        response = client.get(path)
        samples.append((time.perf_counter() - started) * 1000)
        if response.status_code != 200:
            raise SystemExit(f"{path}: {response.status_code} {response.content[:300]!r}")
    return samples


def is_claim_line(line: bytes) -> bool:
    """Whether a line of an ``export_claims`` file holds a claim (other lines begin with
    their ``type``)."""
    return b'"type":' not in line[:20]


def split_export(export: Path, head: Path, rest: Path | None = None, rest_claims: int = 0) -> int:
    """Write the first tenth of the export's claims, with every source and entity line, to
    ``head``; with ``rest``, the next ``rest_claims`` claim lines to it. Streamed, never read
    whole (a benchmark's child processes would inherit its peak memory). Returns how many
    claims the export holds."""
    with export.open("rb") as handle:
        total = sum(1 for line in handle if is_claim_line(line))
    with export.open("rb") as handle, head.open("wb") as first, (rest or Path("/dev/null")).open("wb") as after:
        seen = taken = 0
        for line in handle:
            if not is_claim_line(line):
                first.write(line)  # sources and entities: the exports write them first
            elif seen < total // 10:
                first.write(line)
                seen += 1
            elif taken < rest_claims:
                after.write(line)
                taken += 1
            else:
                break
    if taken < rest_claims:
        raise SystemExit(f"{export.name} has only {taken} claims after its first tenth")
    return total
