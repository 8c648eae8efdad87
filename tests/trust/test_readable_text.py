"""A comment the workflow requires, a claim's text, a source's title and an entity's name
must say something a reader can read (``project.validation.says_something``): made only of
zero-width, format or other invisible characters, they are blank, on every path (the
services, so the API and the admin; the importer asks the same functions). Before, a
reviewer could reject, or approve a claim with editorial warnings, with a comment of one
U+200B."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from claims import rules
from claims.models import Claim, Entity, Review
from claims.transfer import ImportRefused, import_claims
from project.validation import says_something
from sources.models import Source

pytestmark = pytest.mark.django_db

# Each of these alone looks like nothing; str.strip() keeps all but the spaces.
INVISIBLE = [
    "\u200b", "\u2060", "\ufeff", "\u034f", "\u180e", "\u00ad", "\u200b \u200d\u2060", "\u0301", " \u3000\u2028",
    "\u3164", "\u115f\u1160", "\uffa0", "\u2800",  # Hangul fillers (letters) and blank Braille (a symbol)
]
READABLE = ["ok", "\u200bOK", "5", "!", "\u20ac", "\u0645", "\u4e00", "\ue000", "\U0001fae8"]  # private use; an emoji newer than the data
# A claim the editorial checks warn about: "seven" is in no quote.
WARNED = "Russia voted seven times for UN Security Council sanctions on Iran."


@pytest.mark.parametrize("text", INVISIBLE)
def test_invisible_characters_say_nothing(text):
    assert not says_something(text)
    assert rules.comment_problem("reject", text).code == "comment_required"


@pytest.mark.parametrize("text", READABLE)
def test_a_letter_digit_punctuation_mark_or_symbol_says_something(text):
    assert says_something(text)
    assert rules.comment_problem("reject", text) is None


@given(st.text(alphabet=st.characters(categories=("Cf", "Mn", "Me", "Zs", "Zl", "Zp", "Cc"))))
def test_no_text_of_format_characters_marks_and_separators_alone_says_something(text):
    assert not says_something(text)


def _act(client, claim, action, comment):
    return client.post(f"/api/v1/claims/{claim.pk}/{action}/", {"comment": comment}, format="json")


@pytest.mark.parametrize("comment", INVISIBLE)
@pytest.mark.parametrize("action", ["reject", "request-changes"])
def test_a_decision_needing_a_comment_refuses_an_invisible_one(client_for, analyst, reviewer, make_claim, action, comment):
    claim = make_claim(analyst, status="in_review")
    response = _act(client_for(reviewer), claim, action, comment)
    assert response.status_code == 400, response.content
    assert response.json()["code"] == "comment_required"
    assert Claim.objects.get(pk=claim.pk).status == "in_review"
    assert not Review.objects.filter(claim=claim, action=action.replace("-", "_")).exists()


def test_retracting_and_reopening_refuse_an_invisible_comment(client_for, analyst, reviewer, make_claim):
    claim = make_claim(analyst, status="published", reviewer=reviewer)
    assert _act(client_for(reviewer), claim, "retract", "\u200b").json()["code"] == "comment_required"
    assert _act(client_for(reviewer), claim, "retract", "\u200bWithdrawn.").status_code == 200
    assert _act(client_for(reviewer), claim, "reopen", "\u2060\u00ad").json()["code"] == "comment_required"
    assert Claim.objects.get(pk=claim.pk).status == "retracted"


def test_approving_a_claim_with_warnings_refuses_an_invisible_comment(client_for, analyst, reviewer, make_claim):
    claim = make_claim(analyst, text=WARNED, status="in_review")
    response = _act(client_for(reviewer), claim, "approve", "\u200b")
    assert response.status_code == 400 and response.json()["code"] == "comment_required"
    assert Claim.objects.get(pk=claim.pk).status == "in_review"
    response = _act(client_for(reviewer), claim, "approve", "A seventh vote is on record elsewhere.")
    assert response.status_code == 200 and response.json()["status"] == "published"


@pytest.mark.parametrize("text", ["\u200b", "\u2060\u00ad", " \u200b "])
def test_a_claim_text_title_or_name_of_invisible_characters_is_refused(client_for, analyst, reviewer, text):
    client = client_for(analyst)
    response = client.post("/api/v1/claims/", {"text": text}, format="json")
    assert response.status_code == 400 and "readable" in response.json()["errors"]["text"][0], response.content
    response = client.post("/api/v1/sources/", {"title": text, "text": "Some text."}, format="json")
    assert response.status_code == 400 and "readable" in response.json()["errors"]["title"][0], response.content
    response = client_for(reviewer).post("/api/v1/entities/", {"name": text, "kind": "country"}, format="json")
    assert response.status_code == 400 and "readable" in response.json()["errors"]["name"][0], response.content
    assert not Claim.objects.exists() and not Source.objects.exists() and not Entity.objects.exists()


def test_the_import_refuses_an_invisible_claim_text_and_log_comment(tmp_path, source, analyst, reviewer):
    evidence = [{"source_sha256": source.text_sha256, "quote": "Russia voted six times", "stance": "supports"}]
    base = {"author": "analyst", "status": "draft", "evidence": evidence}
    rejected = {
        **base, "text": "Russia voted six times.", "status": "rejected", "reviewer": "reviewer",
        "verdict": "supported", "confidence": "high",
        "reviews": [
            {"actor": "analyst", "action": "submit", "from_status": "draft", "to_status": "in_review"},
            {"actor": "reviewer", "action": "reject", "from_status": "in_review", "to_status": "rejected",
             "comment": "\u200b"},
        ],
    }
    path = tmp_path / "claims.jsonl"
    path.write_text("\n".join(json.dumps(line) for line in ({**base, "text": "\u200b\u2060"}, rejected)) + "\n")
    with pytest.raises(ImportRefused) as refused:
        import_claims(str(path))
    errors = [str(error) for error in refused.value.errors]
    assert len(errors) == 2, errors
    assert "line 1" in errors[0] and "readable" in errors[0]
    assert "line 2" in errors[1] and "comment" in errors[1]
    assert not Claim.objects.exists()


def test_the_schema_publishes_no_pattern_for_one_line_fields(client_for):
    """One line (no control characters) was an inverted pattern, which the schema published
    as the pattern a name must match: every valid name failed it."""
    schema = client_for(None).get("/api/schema/", HTTP_ACCEPT="application/json").json()
    schemas = schema["components"]["schemas"]
    for name in ("Entity", "EntityRequest", "PatchedEntityRequest"):
        assert schemas[name]["properties"]["name"]["type"] == "string"
        assert "pattern" not in schemas[name]["properties"]["name"], name
