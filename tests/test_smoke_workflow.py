import pytest

from claims import services
from claims.models import Review


def test_claim_goes_from_draft_to_published(make_claim, analyst, reviewer):
    claim = make_claim(analyst, status="published", reviewer=reviewer)
    assert claim.status == "published"
    assert claim.reviewer == reviewer
    assert list(Review.objects.filter(claim=claim).values_list("action", flat=True)) == [
        "submit",
        "approve",
    ]
    assert claim.version == 3
