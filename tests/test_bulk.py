"""``project.bulk.update_by_pk``: each row's fields set as the fields prepare them (a JSON
list, a date-time), other rows and fields untouched."""

from __future__ import annotations

import datetime as dt

import pytest

from claims.models import Claim
from project.bulk import update_by_pk

pytestmark = pytest.mark.django_db


def test_each_row_gets_its_own_values_as_its_fields_prepare_them(analyst):
    first, second, third = (Claim.objects.create(text=f"Claim {n}.", author=analyst) for n in range(3))
    warnings = [{"code": "single_source", "message": "One source."}]
    moment = dt.datetime(2024, 5, 1, 12, 0, tzinfo=dt.UTC)
    update_by_pk(Claim, ("check_warnings", "has_checks", "submitted_at"), [
        (warnings, True, moment, first.pk),
        ([], False, None, second.pk),
    ])
    for claim in (first, second, third):
        claim.refresh_from_db()
    assert (first.check_warnings, first.has_checks, first.submitted_at) == (warnings, True, moment)
    assert (second.check_warnings, second.has_checks, second.submitted_at) == ([], False, None)
    assert third.text == "Claim 2." and third.submitted_at is None
    update_by_pk(Claim, ("has_checks",), [])  # nothing to write: no statement


def test_a_row_with_a_value_missing_is_refused_before_anything_is_written(analyst):
    claim = Claim.objects.create(text="A claim.", author=analyst)
    with pytest.raises(ValueError):
        update_by_pk(Claim, ("check_warnings", "has_checks"), [(True, claim.pk)])
    claim.refresh_from_db()
    assert claim.has_checks is False
