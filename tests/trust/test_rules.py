"""The pure predicates of ``claims.rules``: the one statement of each workflow rule."""

from __future__ import annotations

import datetime as dt

from claims import rules
from claims.rules import LogEntry


def test_four_eyes_binds_every_contributor_not_only_the_author():
    problem = rules.actor_problem(
        "approve", status="in_review", is_author=False, is_analyst=True, is_reviewer=True, is_contributor=True
    )
    assert problem.code == "four_eyes"
    assert rules.actor_problem(
        "retract", status="published", is_author=False, is_analyst=True, is_reviewer=True, is_contributor=True
    ) is None


def test_approval_problems_name_every_missing_thing_once():
    codes = [p.code for p in rules.approval_problems(verdict="unverified", confidence="", stances=[], orphaned=True)]
    assert codes == ["no_evidence", "verdict_unverified", "confidence_missing", "evidence_orphaned"]
    assert rules.approval_problems(verdict="disputed", confidence="low", stances=["supports", "refutes"]) == []


def test_period_must_not_end_before_it_starts():
    assert rules.period_problem(dt.date(2010, 1, 2), dt.date(2010, 1, 1)).code == "invalid"
    assert rules.period_problem(dt.date(2010, 1, 1), dt.date(2010, 1, 1)) is None


def test_a_superseded_draft_is_not_deleted():
    problem = rules.delete_problem(
        status="draft", was_submitted=False, is_superseded=True, is_author=True, is_analyst=True, is_reviewer=False
    )
    assert problem.code == "claim_is_superseded"


def _log(*entries):
    return [LogEntry(*entry) for entry in entries]


def test_a_log_must_end_at_the_claims_status():
    problems = rules.log_problems(
        status="published", entries=_log((1, "submit", "draft", "in_review")), author_id=1, contributor_ids={1}, reviewer_ids={2}
    )
    assert {p.code for p in problems} == {"log_inconsistent", "log_unapproved"}


def test_a_log_where_the_author_approved_their_own_claim_is_refused():
    problems = rules.log_problems(
        status="published",
        entries=_log((1, "submit", "draft", "in_review"), (1, "approve", "in_review", "published")),
        author_id=1, contributor_ids={1}, reviewer_ids={1},
    )
    assert {p.code for p in problems} == {"four_eyes", "log_unapproved"}


def test_a_log_approved_by_a_contributor_is_refused_and_by_another_reviewer_accepted():
    entries = _log((1, "submit", "draft", "in_review"), (2, "approve", "in_review", "published"))
    assert rules.log_problems(status="published", entries=entries, author_id=1, contributor_ids={1, 2}, reviewer_ids={2})
    assert rules.log_problems(status="published", entries=entries, author_id=1, contributor_ids={1}, reviewer_ids={2}) == []


def test_reviewed_content_changes_only_through_reviewers():
    assert rules.reviewed_content_problem(is_reviewer=False, shown_by_reviewed_claims=True, what="source").code == "reviewed_content"
    assert rules.reviewed_content_problem(is_reviewer=True, shown_by_reviewed_claims=True, what="source") is None
    assert rules.reviewed_content_problem(is_reviewer=False, shown_by_reviewed_claims=False, what="source") is None
