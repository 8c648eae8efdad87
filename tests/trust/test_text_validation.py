"""Text that cannot be stored (NUL, lone surrogates) is refused by the services, for every
entry point, as a 400 naming the field: never an encoding error from the driver."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from claims import services
from claims.models import Entity
from project.errors import InvalidInput
from project.validation import text_problem
from sources.models import Source
from sources.services import source_create, source_update

pytestmark = pytest.mark.django_db

LONE_SURROGATE = "broken \ud800 text"


@pytest.mark.parametrize("bad", [LONE_SURROGATE, "nul \x00 here"])
def test_source_update_refuses_unstorable_text(source, analyst, bad):
    with pytest.raises(InvalidInput) as refused:
        source_update(source=source, user=analyst, text=bad)
    assert "text" in refused.value.extra["errors"]
    assert Source.objects.get(pk=source.pk).text == source.text


def test_source_metadata_with_a_lone_surrogate_is_refused(source, analyst):
    with pytest.raises(InvalidInput) as refused:
        source_update(source=source, user=analyst, title=LONE_SURROGATE)
    assert refused.value.code == "invalid_text"
    assert "title" in refused.value.extra["errors"]


def test_source_create_refuses_a_lone_surrogate(analyst):
    with pytest.raises(InvalidInput):
        source_create(user=analyst, title="t", text=LONE_SURROGATE)


def test_claim_services_refuse_lone_surrogates(make_claim, analyst):
    with pytest.raises(InvalidInput):
        services.claim_create(author=analyst, text=LONE_SURROGATE)
    claim = make_claim(analyst)
    with pytest.raises(InvalidInput):
        services.claim_update(claim=claim, user=analyst, notes=LONE_SURROGATE)
    with pytest.raises(InvalidInput):
        services.evidence_update(evidence=claim.evidence.get(), user=analyst, note=LONE_SURROGATE)


def test_entity_update_refuses_a_lone_surrogate_in_aliases(analyst):
    entity = Entity.objects.create(name="Iran", slug="iran", kind="country")
    with pytest.raises(InvalidInput):
        services.entity_update(entity=entity, user=analyst, aliases=["Persia", LONE_SURROGATE])


@given(st.text(alphabet=st.characters(exclude_categories=())))
def test_text_problem_finds_exactly_the_nul_characters_and_lone_surrogates(text):
    """Any text, surrogates and NUL included, ASCII or not: refused exactly when it holds one."""
    unstorable = [character for character in text if character == "\x00" or "\ud800" <= character <= "\udfff"]
    problem = text_problem(text)
    if not unstorable:
        assert problem is None
    elif unstorable[0] == "\x00":
        assert problem == "null characters are not allowed"
    else:
        assert problem == f"lone surrogates (U+{ord(unstorable[0]):04X}) are not text; send valid Unicode"


def test_text_problem_accepts_any_valid_unicode():
    assert text_problem("emoji 🙂, curly “quotes”, one space: ") is None
    assert text_problem(["a", "b\x00"]) == "null characters are not allowed"


@pytest.mark.parametrize("length", [1 << 16, (1 << 16) + 1, 300_000])
def test_text_problem_finds_a_lone_surrogate_at_the_end_of_a_long_text(length):
    """Short texts are tested by encoding them, long ones by the pattern: both find it."""
    text = "é" * (length - 1)
    assert text_problem(text) is None
    assert text_problem(text + "\ud83d") == "lone surrogates (U+D83D) are not text; send valid Unicode"
    assert text_problem(text[:-1] + "\x00") == "null characters are not allowed"
