"""``manage.py find_duplicates``: proposes pairs of likely duplicates, never writes."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from claims.models import Claim, ClaimRelation
from claims.similar import CANDIDATES

pytestmark = pytest.mark.django_db


@pytest.fixture
def pair(analyst, analyst2, make_claim):
    first = make_claim(analyst, text="Russia voted six times for UN Security Council sanctions on Iran.")
    second = make_claim(analyst2, text="Moscow backed UN Security Council sanctions against Iran 6 times.")
    other = make_claim(analyst2, text="The Bushehr reactor became operational in September 2011.")
    return first, second, other


def run(*args) -> list[dict]:
    out = io.StringIO()
    call_command("find_duplicates", "--json", "--no-progress", *args, stdout=out, stderr=io.StringIO())
    return [json.loads(line) for line in out.getvalue().splitlines()]


def test_find_duplicates_lists_each_likely_pair_once_older_first(pair):
    first, second, _ = pair
    found = run()
    assert [(item["first"]["id"], item["second"]["id"]) for item in found] == [(first.pk, second.pk)]
    assert 0 < found[0]["score"] <= 1


def test_find_duplicates_writes_nothing(pair):
    versions = dict(Claim.objects.values_list("pk", "version"))
    run()
    assert not ClaimRelation.objects.exists()
    assert dict(Claim.objects.values_list("pk", "version")) == versions


def test_find_duplicates_leaves_out_pairs_already_recorded(pair, analyst):
    first, second, _ = pair
    ClaimRelation.objects.create(from_claim=second, to_claim=first, kind="duplicate_of", created_by=analyst)
    assert run() == []


def test_a_higher_threshold_proposes_fewer_pairs(pair):
    assert run("--threshold", "1") == []


@pytest.mark.parametrize("threshold", ["0", "1.5", "high", "-1"])
def test_find_duplicates_refuses_a_threshold_outside_0_1(pair, threshold):
    with pytest.raises(CommandError):
        run("--threshold", threshold)


def test_claims_of_other_statuses_take_no_candidates_place(analyst, analyst2, reviewer2, make_claim):
    """``--status published`` looks for a published claim's duplicates among published
    claims: drafts that match it better (more than a lookup's candidates) do not push a
    published duplicate out of its candidates."""
    first = make_claim(analyst, status="published", reviewer=reviewer2,
                       text="Russia voted six times for UN Security Council sanctions on Iran.")
    second = make_claim(analyst2, status="published", reviewer=reviewer2,
                        text="Moscow backed UN Security Council sanctions against Iran 6 times.")
    Claim.objects.bulk_create(Claim(text=first.text, author=analyst) for _ in range(CANDIDATES + 5))
    found = run("--status", "published")
    assert [(item["first"]["id"], item["second"]["id"]) for item in found] == [(first.pk, second.pk)]
