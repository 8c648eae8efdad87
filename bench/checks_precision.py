"""Precision of the editorial checks on the demo corpus: what fraction of warnings are real
problems, by check.

    python bench/checks_precision.py [--record]

Runs ``claims.checks`` (pure: no database) over two versions of the demo corpus read from
git: the one an editor reviewed (``--before``, default: the last commit before the rebuild)
and the current ``fixtures/demo_corpus.json``. Every warning is matched to a label in
``bench/checks_precision_labels.json`` (claim key and check code -> real problem or false
alarm, and why), written by reading each warning against the seed texts; a warning without
a label stops the script, so that the figures never count an unread warning.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import subprocess
import sys
from collections import Counter
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
PROJECT_DIR = BENCH_DIR.parent
sys.path.insert(0, str(PROJECT_DIR))
sys.path.insert(0, str(BENCH_DIR))
from bench_support import publish, table  # noqa: E402

from claims import checks  # noqa: E402

LABELS = BENCH_DIR / "checks_precision_labels.json"
BEFORE = "f9d11c4"  # the corpus the editor's review found 4 major and 35 minor problems in


def corpus_at(revision: str | None) -> dict:
    if revision is None:
        return json.loads((PROJECT_DIR / "fixtures" / "demo_corpus.json").read_text(encoding="utf-8"))
    shown = subprocess.run(
        ["git", "show", f"{revision}:fixtures/demo_corpus.json"], cwd=PROJECT_DIR, capture_output=True, check=True
    )
    return json.loads(shown.stdout)


def warnings_of(corpus: dict) -> list[tuple[str, str, str, dict]]:
    """(claim key, status, code, warning) for every warning in the corpus."""
    def date(value):
        return dt.date.fromisoformat(value) if value else None

    sources = {
        s["seed"]: checks.SourceFacts(id=s["seed"], reliability=s["reliability"], published_on=date(s["published_on"]), title=s["title"])
        for s in corpus["sources"]
    }
    found = []
    for claim in corpus["claims"]:
        facts = checks.ClaimFacts(
            text=claim["text"],
            confidence=claim["confidence"] or "",
            verdict=claim["verdict"],
            period_start=date(claim["period_start"]),
            period_end=date(claim["period_end"]),
            evidence=tuple(
                checks.EvidenceFacts(item["quote"], item["stance"], sources[item.get("seed") or claim["seed"]])
                for item in claim["evidence"]
            ),
        )
        for warning in checks.run_checks(facts):
            found.append((claim["key"], claim["status"], warning["code"], warning))
    return found


def measure(name: str, corpus: dict, labels: dict) -> tuple[list[list], int, int]:
    counts: dict[str, Counter] = {code: Counter() for code in checks.CODES}
    unlabelled = []
    for key, status, code, warning in warnings_of(corpus):
        label = labels.get(f"{key} {code}")
        if label is None:
            unlabelled.append(f"{name}: {key} ({status}) {warning['message']}")
            continue
        counts[code]["real" if label["real"] else "false"] += 1
    if unlabelled:
        sys.exit("Unlabelled warnings (label them in bench/checks_precision_labels.json):\n" + "\n".join(unlabelled))
    rows, real_total, all_total = [], 0, 0
    for code in checks.CODES:
        real, false = counts[code]["real"], counts[code]["false"]
        total = real + false
        real_total, all_total = real_total + real, all_total + total
        rows.append([f"`{code}`", total, real, false, f"{real / total:.0%}" if total else "–"])
    rows.append(["**all**", all_total, real_total, all_total - real_total, f"**{real_total / all_total:.0%}**" if all_total else "–"])
    return rows, real_total, all_total


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--before", default=BEFORE, help=f"git revision of the reviewed corpus (default {BEFORE})")
    parser.add_argument("--record", action="store_true")
    args = parser.parse_args(argv)
    labels = json.loads(LABELS.read_text(encoding="utf-8"))
    reports = []
    for name, revision in (("before", args.before), ("after", None)):
        corpus = corpus_at(revision)
        rows, real, total = measure(name, corpus, labels[name])
        reports.append(
            f"**{name}** ({'commit ' + revision if revision else 'current fixtures/demo_corpus.json'}, "
            f"{len(corpus['claims'])} claims): {total} warnings, {real} real problems\n\n"
            + table(["check", "warnings", "real", "false alarms", "precision"], rows)
        )
    summary = (
        "Precision of the editorial checks on the demo corpus, each warning labelled by reading it against the "
        "seeds (bench/checks_precision_labels.json says why for each)."
    )
    publish("Editorial checks: precision on the demo corpus", __file__, argv, summary, "\n\n".join(reports), record=args.record)
    return 0


if __name__ == "__main__":
    sys.exit(main())
