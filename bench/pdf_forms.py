"""How long reading PDFs that draw form objects (form XObjects) takes, where the layers inside
forms are looked at object by object.

    python bench/pdf_forms.py [--baseline REV ...] [--turns 3] [--record]

Three PDFs, made here: a form drawn 1,000 times on a page, each drawing 100 inner forms
marked with a layer (``/OC /oc1 BDC ... EMC``: 100,000 marks, each a mark of its own to
PDFium); forms nested five deep, ten to a level, the last marked; and a form of 1,000 words
drawn 100 times, unmarked (the cost there is the page's text, for comparison). Each is read
by ``sources.ingest.pdf.read_pdf`` in a fresh process, which reports its processor time; with
``--baseline``, the same files are read by another commit's checkout (a git worktree made for
it; ``--baseline`` may be given more than once), in turns with this checkout, and the texts
are compared.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_support import PROJECT_DIR, median, publish, table  # noqa: E402

PYTHON = str(PROJECT_DIR / ".venv" / "bin" / "python")

# Run from the checkout measured (its first argument): one file read, its processor time
# and a digest of its text.
READ = r'''
import hashlib, io, os, sys, time
sys.path.insert(0, sys.argv[1])
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "project.settings")
import django
django.setup()
from sources.ingest.pdf import read_pdf
data = open(sys.argv[2], "rb").read()
began = time.process_time()
text, _ = read_pdf(io.BytesIO(data))
print(time.process_time() - began, len(text), hashlib.sha256(text.encode()).hexdigest()[:16])
'''

# Made from this checkout's test helper for PDFs with forms and layers.
MAKE = r'''
import os, sys
sys.path.insert(0, sys.argv[1])
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "project.settings")
import django
django.setup()
from tests.ingest.test_pdf_visibility import BODY, _with_forms
folder = sys.argv[2]
marked = b"".join(b"/OC /oc1 BDC /Fm1 Do EMC " for _ in range(100))
page = BODY + b"".join(b"q 1 0 0 1 0 %d cm /Fm0 Do Q " % (number % 50) for number in range(1000))
open(f"{folder}/marked.pdf", "wb").write(_with_forms(page, {"Fm0": marked, "Fm1": b"BT /F1 12 Tf 72 600 Td (x) Tj ET"}))
nested = {f"Fm{depth}": b"".join(b"/Fm%d Do " % (depth + 1) for _ in range(10)) for depth in range(4)}
nested["Fm4"] = b"/OC /oc1 BDC BT /F1 12 Tf 72 600 Td (x) Tj ET EMC"
open(f"{folder}/nested.pdf", "wb").write(_with_forms(BODY + b"/Fm0 Do ", nested))
words = b"".join(b"BT /F1 8 Tf %d %d Td (w%d) Tj ET " % (40 + (n % 25) * 20, 100 + (n // 25) * 12, n) for n in range(1000))
open(f"{folder}/unmarked.pdf", "wb").write(_with_forms(BODY + b"/Fm0 Do " * 100, {"Fm0": words}))
'''

FILES = {
    "marked.pdf": "a form drawn 1,000 times, each drawing 100 inner forms marked with a layer",
    "nested.pdf": "forms nested five deep, ten to a level, the last marked",
    "unmarked.pdf": "a form of 1,000 words drawn 100 times, unmarked",
}


def read(checkout: Path, path: Path) -> tuple[float, int, str]:
    answer = subprocess.run([PYTHON, "-c", READ, str(checkout), str(path)], capture_output=True, text=True, check=True)
    seconds, length, digest = answer.stdout.split()
    return float(seconds), int(length), digest


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--baseline", action="append", default=[], help="a commit to measure beside this checkout, in turns")
    parser.add_argument("--turns", type=int, default=3)
    parser.add_argument("--record", action="store_true", help="append the figures to bench/RESULTS.md")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        subprocess.run([PYTHON, "-c", MAKE, str(PROJECT_DIR), str(folder)], check=True)
        checkouts = {"this checkout": PROJECT_DIR}
        for number, baseline in enumerate(args.baseline):
            worktree = folder / f"baseline{number}"
            subprocess.run(["git", "-C", str(PROJECT_DIR), "worktree", "add", "-q", "--detach", str(worktree), baseline], check=True)
            checkouts[baseline] = worktree
        try:
            seconds: dict[tuple[str, str], list[float]] = {}
            texts: dict[tuple[str, str], set] = {}
            for _ in range(args.turns):
                for name in FILES:
                    for label, checkout in checkouts.items():
                        spent, length, digest = read(checkout, folder / name)
                        seconds.setdefault((name, label), []).append(spent)
                        texts.setdefault((name, label), set()).add((length, digest))
        finally:
            for baseline in args.baseline:
                subprocess.run(["git", "-C", str(PROJECT_DIR), "worktree", "remove", "--force", str(checkouts[baseline])], check=True)
    labels = list(checkouts)
    rows = []
    for name, what in FILES.items():
        cells = [f"{median(seconds[(name, label)]):.2f} s" for label in labels]
        same = len({frozenset(texts[(name, label)]) for label in labels}) == 1
        rows.append([what, *cells, "yes" if same else "**no**"])
    report = table(["PDF", *[f"{label} (CPU s, median)" for label in labels], "same text"], rows)
    summary = (
        f"Each PDF read by `read_pdf` in a fresh process, {args.turns} turns, the checkouts in turns; "
        "processor time of the reading alone."
    )
    publish("PDFs that draw forms: layers looked at inside them", __file__, argv, summary, report, record=args.record)


if __name__ == "__main__":
    main()
