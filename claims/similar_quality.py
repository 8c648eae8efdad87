"""The quality of the similar-claims lookup on a labelled set (``fixtures/similar_claims_set.json``).

- recall@5: the share of paraphrases whose claim is among the first five results;
- top-hit precision: of the queries (paraphrases and near misses) whose first result scores
  at least ``LIKELY_DUPLICATE``, the share where that result is the paraphrased claim (a near
  miss has no right answer: any likely duplicate it gets is wrong);
- near misses taken: near misses whose own claim scores ``LIKELY_DUPLICATE`` or more.

Used by the test suite (tests/api/test_similar.py) and ``bench/similar_quality.py``.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from .similar import LIKELY_DUPLICATE, SimilarClaim

LABELLED_SET = Path(__file__).resolve().parents[1] / "fixtures" / "similar_claims_set.json"


@dataclass
class Quality:
    paraphrases: int = 0
    found_in_5: int = 0
    confident: int = 0  # queries whose first result is a likely duplicate
    confident_right: int = 0
    near_misses: int = 0
    near_misses_taken: int = 0
    misses: list[str] = field(default_factory=list)

    @property
    def recall_at_5(self) -> float:
        return self.found_in_5 / self.paraphrases if self.paraphrases else 0.0

    @property
    def top_hit_precision(self) -> float:
        return self.confident_right / self.confident if self.confident else 0.0

    def summary(self) -> str:
        return (
            f"recall@5 {self.recall_at_5:.3f} ({self.found_in_5}/{self.paraphrases}); "
            f"top-hit precision {self.top_hit_precision:.3f} ({self.confident_right}/{self.confident}); "
            f"near misses taken {self.near_misses_taken}/{self.near_misses}"
        )


def load_labelled_set(path: Path = LABELLED_SET) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def evaluate(
    labelled: dict, claim_ids: dict[str, int], lookup: Callable[[str], list[SimilarClaim]]
) -> Quality:
    """Run ``lookup`` (text -> results, best first) on every query; ``claim_ids`` maps the
    labelled set's claim keys to ids."""
    quality = Quality()
    for item in labelled["paraphrases"]:
        target = claim_ids[item["claim"]]
        results = lookup(item["text"])
        ids = [result.claim["id"] for result in results]
        quality.paraphrases += 1
        if target in ids[:5]:
            quality.found_in_5 += 1
        else:
            quality.misses.append(f"paraphrase of {item['claim']} not in the first 5: {item['text']}")
        if results and results[0].score >= LIKELY_DUPLICATE:
            quality.confident += 1
            if ids[0] == target:
                quality.confident_right += 1
            else:
                quality.misses.append(f"paraphrase of {item['claim']}: first result #{ids[0]}: {item['text']}")
    for item in labelled["near_misses"]:
        target = claim_ids[item["claim"]]
        results = lookup(item["text"])
        quality.near_misses += 1
        if results and results[0].score >= LIKELY_DUPLICATE:
            quality.confident += 1
            quality.misses.append(
                f"near miss of {item['claim']} taken for #{results[0].claim['id']} ({results[0].score}): {item['text']}"
            )
        if any(result.claim["id"] == target and result.score >= LIKELY_DUPLICATE for result in results):
            quality.near_misses_taken += 1
    return quality
