"""An imported claim's moderation log is held to what ``claim_transition`` checks of each
transition (``rules.log_entry_problems``), and a claim and its published correction are not
both published (``rules.superseded_problem``); every invalid line is reported in one pass;
dates, slugs and the batch size are checked, never a traceback."""

from __future__ import annotations

import io
import json
import uuid

import pytest
from django.core.management import CommandError, call_command

from claims.models import Claim, Entity
from claims.transfer import ImportRefused, import_claims

pytestmark = pytest.mark.django_db

PUBLISHED_AT = "2024-05-01T12:00:00+00:00"


def _entry(actor: str, action: str, from_status: str, to_status: str, comment: str = "Because.") -> dict:
    return {"actor": actor, "action": action, "from_status": from_status, "to_status": to_status, "comment": comment}


SUBMIT = _entry("analyst", "submit", "draft", "in_review", "")
APPROVE = _entry("reviewer", "approve", "in_review", "published", "")


def _line(source, **overrides) -> dict:
    line = {
        "author": "analyst", "text": "Russia voted six times.", "status": "published",
        "verdict": "supported", "confidence": "high", "reviewer": "reviewer", "published_at": PUBLISHED_AT,
        "evidence": [{"source_sha256": source.text_sha256, "quote": "Russia voted six times", "stance": "supports"}],
        "reviews": [SUBMIT, APPROVE],
    }
    line.update(overrides)
    return line


def _errors(tmp_path, *lines: dict | str) -> list[str]:
    path = tmp_path / "claims.jsonl"
    path.write_text("".join((line if isinstance(line, str) else json.dumps(line)) + "\n" for line in lines))
    with pytest.raises(ImportRefused) as refused:
        import_claims(str(path))
    assert not Claim.objects.filter(text__startswith="Russia voted").exists()
    return [str(error) for error in refused.value.errors]


def _imports(tmp_path, *lines: dict) -> None:
    path = tmp_path / "claims.jsonl"
    path.write_text("".join(json.dumps(line) + "\n" for line in lines))
    import_claims(str(path))


@pytest.mark.parametrize("action, status", [("reject", "rejected"), ("request_changes", "changes_requested")])
def test_a_decision_by_the_author_is_a_line_error(tmp_path, source, analyst, reviewer, action, status):
    line = _line(source, status=status, published_at=None, reviews=[SUBMIT, _entry("analyst", action, "in_review", status)])
    errors = _errors(tmp_path, line)
    assert f"line 1: reviews[1]: {action}: Only reviewers may do this." in errors[0]


def test_a_retraction_by_someone_who_is_not_a_reviewer_is_a_line_error(tmp_path, source, analyst, analyst2, reviewer):
    line = _line(source, status="retracted", reviews=[
        SUBMIT, APPROVE, _entry("analyst2", "retract", "published", "retracted")])
    (error,) = _errors(tmp_path, line)
    assert error.startswith("line 1: reviews[2]: retract: Only reviewers may do this.")


@pytest.mark.parametrize("action, status", [("reject", "rejected"), ("retract", "retracted")])
def test_a_decision_that_needs_a_comment_without_one_is_a_line_error(tmp_path, source, analyst, reviewer, action, status):
    decision = _entry("reviewer", action, "in_review" if action == "reject" else "published", status, "  ")
    reviews = [SUBMIT, decision] if action == "reject" else [SUBMIT, APPROVE, decision]
    (error,) = _errors(tmp_path, _line(source, status=status, reviews=reviews))
    assert error == f"line 1: reviews[{len(reviews) - 1}]: A comment is required to {action}."


def test_whoever_added_evidence_contributed_and_so_cannot_approve(tmp_path, source, analyst, reviewer):
    evidence = [{"source_sha256": source.text_sha256, "quote": "Russia voted six times", "added_by": "reviewer"}]
    errors = _errors(tmp_path, _line(source, evidence=evidence))
    assert "line 1: four-eyes rule: the reviewer 'reviewer' contributed to the claim" in errors


def test_a_reviewer_who_is_not_the_last_decider_is_a_line_error(tmp_path, source, analyst, reviewer, reviewer2):
    (error,) = _errors(tmp_path, _line(source, reviewer="reviewer2"))
    assert error == "line 1: the reviewer is not who took the moderation log's last decision"


def test_a_log_the_services_would_write_imports(tmp_path, source, analyst, reviewer, reviewer2):
    reviews = [SUBMIT, APPROVE, _entry("reviewer2", "retract", "published", "retracted")]
    _imports(tmp_path, _line(source, status="retracted", reviews=reviews))
    assert Claim.objects.get().status == "retracted"


def test_a_published_claim_and_its_published_correction_are_refused(tmp_path, source, analyst, reviewer):
    old = _line(source, uid=str(uuid.uuid4()))
    correction = _line(source, uid=str(uuid.uuid4()), text="Russia voted seven times.", supersedes=old["uid"])
    assert _errors(tmp_path, old, correction) == [
        "line 1: a published claim whose correction (line 2) is published: publishing a correction retracts the claim it corrects"]


def test_a_published_correction_of_a_published_claim_in_the_database_is_refused(tmp_path, source, analyst, reviewer):
    old = _line(source, uid=str(uuid.uuid4()), text="Earlier: Russia voted, once.")
    _imports(tmp_path, old)
    correction = _line(source, uid=str(uuid.uuid4()), supersedes=old["uid"])
    (error,) = _errors(tmp_path, correction)
    assert error.startswith(f"line 1: supersedes {old['uid']}: that claim is published, and so is this correction")


def test_a_retracted_claim_and_its_published_correction_import(tmp_path, source, analyst, reviewer):
    old = _line(source, uid=str(uuid.uuid4()), status="retracted",
                reviews=[SUBMIT, APPROVE, _entry("reviewer", "retract", "published", "retracted")])
    correction = _line(source, uid=str(uuid.uuid4()), text="Russia voted seven times.", supersedes=old["uid"])
    _imports(tmp_path, old, correction)
    assert Claim.objects.get(status="published").supersedes.status == "retracted"


@pytest.mark.parametrize("field, value", [("period_start", "2020-02-30"), ("period_end", "2021-13-01")])
def test_an_impossible_date_of_a_claim_is_a_line_error(tmp_path, source, analyst, reviewer, field, value):
    assert _errors(tmp_path, _line(source, **{field: value})) == [
        f"line 1: {field} must be a date (YYYY-MM-DD), not {value!r}"]


def test_an_impossible_date_of_a_source_is_a_line_error(tmp_path, analyst):
    line = {"type": "source", "title": "T", "text": "Some text.", "published_on": "2020-02-30"}
    assert _errors(tmp_path, line) == ["line 1: published_on must be a date (YYYY-MM-DD), not '2020-02-30'"]


def test_a_published_claim_without_its_published_at_is_a_line_error(tmp_path, source, analyst, reviewer):
    assert _errors(tmp_path, _line(source, published_at=None)) == ["line 1: a published claim needs its published_at"]


def test_a_time_without_its_utc_offset_is_a_line_error(tmp_path, source, analyst, reviewer):
    (error,) = _errors(tmp_path, _line(source, created_at="2020-01-01T00:00:00"))
    assert error.startswith("line 1: created_at '2020-01-01T00:00:00' has no UTC offset")


def test_every_invalid_line_is_reported_in_one_pass(tmp_path, source, analyst, reviewer):
    one, missing = str(uuid.uuid4()), str(uuid.uuid4())
    errors = _errors(
        tmp_path,
        _line(source, uid=one),
        {"type": "relation", "from_claim": one, "to_claim": one, "kind": "related"},
        {"type": "relation", "from_claim": one, "to_claim": missing, "kind": "related"},
        {"type": "relation", "from_claim": one, "to_claim": str(uuid.uuid4()), "kind": "weird"},
        _line(source, uid=str(uuid.uuid4()), text="Russia voted, corrected.", status="draft", reviewer=None,
              published_at=None, reviews=[], supersedes=str(uuid.uuid4())),
    )
    assert [error.split(":")[0] for error in errors] == ["line 2", "line 3", "line 4", "line 5"]
    assert errors[1] == f"line 3: relation: no such claim {missing}"


def test_an_entity_line_that_differs_from_the_entity_of_its_slug_is_a_line_error(tmp_path, analyst):
    Entity.objects.create(slug="iran", name="Iran", kind="country")
    lines = [
        {"type": "entity", "slug": "iran", "name": "Iran", "kind": "country"},  # the same: present
        {"type": "entity", "slug": "iran", "name": "Persia", "kind": "country"},
        {"type": "entity", "slug": "putin", "name": "Vladimir Putin", "kind": "person"},
        {"type": "entity", "slug": "putin", "name": "Vladimir Putin", "kind": "other"},
    ]
    assert _errors(tmp_path, *lines) == [
        "line 2: entity 'iran' is defined on line 1 as 'Iran' (country), not 'Persia' (country)",
        "line 4: entity 'putin' is defined on line 3 as 'Vladimir Putin' (person), not 'Vladimir Putin' (other)",
    ]
    assert _errors(tmp_path, {"type": "entity", "slug": "iran", "name": "Persia", "kind": "country"}) == [
        "line 1: entity 'iran' exists as 'Iran' (country), not 'Persia' (country)"]


@pytest.mark.parametrize("size", ["0", "-1"])
def test_a_batch_size_below_one_is_refused(tmp_path, size):
    path = tmp_path / "claims.jsonl"
    path.write_text("")
    with pytest.raises(CommandError, match="--batch-size: invalid positive integer value"):
        call_command("import_claims", str(path), "--no-progress", "--batch-size", size, stderr=io.StringIO())
    with pytest.raises(ValueError, match="batch_size must be a positive integer"):
        import_claims(str(path), batch_size=int(size))


def _dated(entry: dict, when: str) -> dict:
    return {**entry, "created_at": when}


DATED_LOG = [_dated(SUBMIT, "2024-05-01T10:00:00+00:00"), _dated(APPROVE, "2024-05-01T12:00:00+00:00")]


def test_a_contributor_named_twice_is_a_line_error(tmp_path, source, analyst, reviewer):
    """With two dates, the later one chose which decisions the contribution bound."""
    line = _line(source, reviews=DATED_LOG, contributors=["analyst", "reviewer", "reviewer"],
                 contributed_at=["2024-04-30T10:00:00+00:00", "2024-06-01T10:00:00+00:00", "2024-04-30T11:00:00+00:00"])
    (error,) = _errors(tmp_path, line)
    assert error == "line 1: contributors names 'reviewer' twice"


def test_evidence_added_before_the_approval_binds_it_whatever_contributed_at_says(tmp_path, source, analyst, reviewer):
    evidence = [{"source_sha256": source.text_sha256, "quote": "Russia voted six times", "stance": "supports",
                 "added_by": "reviewer", "created_at": "2024-04-30T11:00:00+00:00"}]
    line = _line(source, reviews=DATED_LOG, evidence=evidence, contributors=["analyst", "reviewer"],
                 contributed_at=["2024-04-30T10:00:00+00:00", "2024-06-01T10:00:00+00:00"])
    (error,) = _errors(tmp_path, line)
    assert "four-eyes rule: the reviewer 'reviewer' contributed to the claim" in error


def test_a_log_out_of_time_order_is_a_line_error(tmp_path, source, analyst, reviewer):
    """Contributions are read against the log's dates: an approval dated before its
    submission could put a contribution after it."""
    reviews = [_dated(SUBMIT, "2024-05-01T10:00:00+00:00"), _dated(APPROVE, "2024-04-01T12:00:00+00:00")]
    (error,) = _errors(tmp_path, _line(source, reviews=reviews))
    assert error == "line 1: reviews[1] is dated before the entry above it: a log is in time order"


def test_a_reviewer_who_contributed_after_approving_imports(tmp_path, source, analyst, reviewer):
    """As when they changed a published claim's source: it binds decisions to come."""
    line = _line(source, reviews=DATED_LOG, contributors=["analyst", "reviewer"],
                 contributed_at=["2024-04-30T10:00:00+00:00", "2024-06-01T10:00:00+00:00"])
    _imports(tmp_path, line)
    assert Claim.objects.get().status == "published"


@pytest.mark.parametrize("status", ["published", "retracted", "in_review"])
def test_evidence_dated_after_the_last_submission_of_a_claim_not_editable_since_is_a_line_error(
    tmp_path, source, analyst, reviewer, analyst2, status
):
    """Its content was frozen then: no path of the workflow writes such a record (a
    refuting item added by another analyst after the approval, on a supported claim)."""
    reviews = {"published": DATED_LOG, "in_review": DATED_LOG[:1],
               "retracted": [*DATED_LOG, _dated(_entry("reviewer", "retract", "published", "retracted"), "2024-06-02T10:00:00+00:00")]}[status]
    evidence = [
        {"source_sha256": source.text_sha256, "quote": "Russia voted six times", "stance": "supports",
         "created_at": "2024-04-30T09:00:00+00:00"},
        {"source_sha256": source.text_sha256, "quote": "Moscow later said", "stance": "refutes", "added_by": "analyst2",
         "created_at": "2024-05-20T10:00:00+00:00"},
    ]
    line = _line(source, status=status, reviews=reviews, evidence=evidence,
                 published_at=None if status == "in_review" else PUBLISHED_AT)
    (error,) = _errors(tmp_path, line)
    assert error.startswith("line 1: evidence[1] is dated 2024-05-20T10:00:00+00:00, after the claim was last submitted")


def test_evidence_added_after_changes_were_requested_imports(tmp_path, source, analyst, reviewer):
    """Editable again: evidence dated after the submission is the author's answer."""
    reviews = [DATED_LOG[0], _dated(_entry("reviewer", "request_changes", "in_review", "changes_requested"), "2024-05-01T12:00:00+00:00")]
    evidence = [{"source_sha256": source.text_sha256, "quote": "Russia voted six times", "stance": "supports",
                 "created_at": "2024-05-02T09:00:00+00:00"}]
    _imports(tmp_path, _line(source, status="changes_requested", reviews=reviews, evidence=evidence, published_at=None))
    assert Claim.objects.get().status == "changes_requested"


def test_a_log_without_dates_is_read_against_the_claims_submitted_at(tmp_path, source, analyst, reviewer):
    """A log's dates left out, the claim's own submission time still says when its content
    froze."""
    evidence = [{"source_sha256": source.text_sha256, "quote": "Russia voted six times", "stance": "supports",
                 "created_at": "2024-06-01T10:00:00+00:00"}]
    line = _line(source, evidence=evidence, submitted_at="2024-05-01T10:00:00+00:00")
    (error,) = _errors(tmp_path, line)
    assert "after the claim was last submitted (2024-05-01T10:00:00+00:00)" in error


def test_undated_evidence_of_a_dated_claim_is_dated_before_its_submission_and_exports_again(tmp_path, source, analyst, reviewer):
    """The import's own time had come after the claim's submission: the database it made
    exported a file it refused."""
    from claims.transfer import export_claims

    evidence = [{"source_sha256": source.text_sha256, "quote": "Russia voted six times", "stance": "supports"}]
    _imports(tmp_path, _line(source, reviews=DATED_LOG, evidence=evidence, created_at="2024-04-30T08:00:00+00:00"))
    claim = Claim.objects.get()
    assert claim.evidence.get().created_at.isoformat() == "2024-04-30T08:00:00+00:00"
    exported = tmp_path / "again.jsonl"
    with open(exported, "wb") as out:
        export_claims(out)
    (record,) = [json.loads(line) for line in exported.read_text().splitlines()]
    assert record["evidence"][0]["created_at"].startswith("2024-04-30T08:00:00")
    _imports(tmp_path, {**record, "uid": str(uuid.uuid4())})  # as into another database
    assert list(Claim.objects.values_list("status", flat=True)) == ["published", "published"]
