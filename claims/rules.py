"""The workflow's rules as pure predicates: plain values in, problems out; no queries.

Each rule is written here once. ``claims.services`` gathers the facts under its locks and
raises the matching domain error; the importer (``claims.transfer.records``) asks the same
questions of a line and reports the answers as line errors; the admin asks them to decide
which buttons to show. A predicate returns ``None`` (or an empty list) when the rule holds,
else the ``Problem`` saying why not, in words a person can act on.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass

from project.validation import says_something

from .models import EDITABLE_STATUSES, Claim, ClaimRelation, Evidence, Review

Status = Claim.Status
Verdict = Claim.Verdict
Stance = Evidence.Stance
Action = Review.Action


@dataclass(frozen=True)
class Problem:
    """A rule that does not hold: a stable ``code`` and a message for people."""

    code: str
    message: str

    def __str__(self) -> str:
        return self.message


# ---------------------------------------------------------------------------------------------
# The workflow's transitions


@dataclass(frozen=True)
class Transition:
    action: str
    sources: frozenset[str]
    target: str
    comment_required: bool
    four_eyes: bool


TRANSITIONS: dict[str, Transition] = {
    t.action: t
    for t in (
        Transition(Action.SUBMIT, frozenset({Status.DRAFT, Status.CHANGES_REQUESTED}), Status.IN_REVIEW, False, False),
        Transition(Action.APPROVE, frozenset({Status.IN_REVIEW}), Status.PUBLISHED, False, True),
        Transition(Action.REQUEST_CHANGES, frozenset({Status.IN_REVIEW}), Status.CHANGES_REQUESTED, True, True),
        Transition(Action.REJECT, frozenset({Status.IN_REVIEW}), Status.REJECTED, True, True),
        Transition(Action.RETRACT, frozenset({Status.PUBLISHED}), Status.RETRACTED, True, False),
        Transition(Action.REOPEN, frozenset({Status.REJECTED, Status.RETRACTED}), Status.DRAFT, True, False),
    )
}

# Statuses whose content was reviewed and is (or was) public.
REVIEWED_STATUSES = frozenset({Status.PUBLISHED, Status.RETRACTED})
# The statuses a reviewer's decision leads to (a claim in them names its reviewer).
DECIDED_STATUSES = frozenset({Status.PUBLISHED, Status.RETRACTED, Status.REJECTED, Status.CHANGES_REQUESTED})

FOUR_EYES_MESSAGE = (
    "Four-eyes rule: you contributed to this claim, so you cannot approve, reject or "
    "request changes on it."
)


def actor_problem(
    action: str,
    *,
    status: str,
    is_author: bool,
    is_analyst: bool,
    is_reviewer: bool,
    is_contributor: bool,
) -> Problem | None:
    """Who may take ``action`` on a claim in ``status``: submit, the author or a reviewer;
    reopen, a reviewer or the author of a rejected claim; the rest, reviewers, and the
    four-eyes rule: nobody decides on a claim they contributed to (superusers included)."""
    transition = TRANSITIONS[action]
    if action == Action.SUBMIT:
        if not (is_analyst and (is_author or is_reviewer)):
            return Problem("not_author", "Only the claim's author or a reviewer may submit it.")
        return None
    if action == Action.REOPEN:
        if not (is_reviewer or (status == Status.REJECTED and is_author and is_analyst)):
            return Problem("not_reviewer", "Only a reviewer, or the author of a rejected claim, may reopen it.")
        return None
    if not is_reviewer:
        return Problem("not_reviewer", "Only reviewers may do this.")
    if transition.four_eyes and (is_author or is_contributor):
        return Problem("four_eyes", FOUR_EYES_MESSAGE)
    return None


def state_problem(action: str, status: str) -> Problem | None:
    """Whether ``action`` applies to a claim in ``status``."""
    if status not in TRANSITIONS[action].sources:
        return Problem("invalid_transition", f"Cannot {action.replace('_', ' ')} a claim that is {status.replace('_', ' ')}.")
    return None


def comment_needed(action: str, *, warned: bool) -> bool:
    """Whether taking ``action`` needs a comment: the transitions that always do (request
    changes, reject, retract), and approving a claim the editorial checks warn about
    (``warned``), where the comment says why the warnings do not apply. The service checks
    the second against the checks run again under the claim's lock."""
    return TRANSITIONS[action].comment_required or (action == Action.APPROVE and warned)


def comment_problem(action: str, comment: str) -> Problem | None:
    if TRANSITIONS[action].comment_required and not says_something(comment or ""):
        return Problem("comment_required", f"A comment is required to {action.replace('_', ' ')}.")
    return None


# ---------------------------------------------------------------------------------------------
# What approval needs (checked at submission too)

REQUIRED_STANCES: dict[str, frozenset[str]] = {
    Verdict.SUPPORTED: frozenset({Stance.SUPPORTS}),
    Verdict.REFUTED: frozenset({Stance.REFUTES}),
    Verdict.DISPUTED: frozenset({Stance.SUPPORTS, Stance.REFUTES}),
}


def stance_problem(verdict: str, stances: Iterable[str]) -> Problem | None:
    """``supported`` needs a ``supports`` evidence, ``refuted`` a ``refutes`` one,
    ``disputed`` both."""
    missing = REQUIRED_STANCES.get(verdict, frozenset()) - set(stances)
    if missing:
        names = " and ".join(f"'{stance}'" for stance in sorted(missing))
        return Problem("evidence_mismatch", f"{names} evidence for a {verdict} verdict")
    return None


def approval_problems(
    *, verdict: str, confidence: str, stances: Collection[str], orphaned: bool = False
) -> list[Problem]:
    """Everything approval needs, each missing thing once: at least one evidence, a verdict
    other than unverified, a confidence, stances that agree with the verdict, no orphaned
    evidence."""
    problems = []
    if not stances:
        problems.append(Problem("no_evidence", "at least one piece of evidence"))
    if verdict == Verdict.UNVERIFIED:
        problems.append(Problem("verdict_unverified", "a verdict other than unverified"))
    if not confidence:
        problems.append(Problem("confidence_missing", "a confidence"))
    if stances and (mismatch := stance_problem(verdict, stances)):
        problems.append(mismatch)
    if orphaned:
        problems.append(Problem("evidence_orphaned", "no orphaned evidence (its quote left the source)"))
    return problems


def summarize(problems: Sequence[Problem], doing: str) -> Problem:
    """One problem naming every missing thing: ``Before approving, set: a, b and c.``"""
    items = [problem.message for problem in problems]
    listed = items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]
    return Problem(problems[0].code, f"Before {doing}, the claim needs {listed}.")


# ---------------------------------------------------------------------------------------------
# Content, period, deletion


def period_problem(start: dt.date | None, end: dt.date | None) -> Problem | None:
    if start and end and start > end:
        return Problem("invalid", "The period cannot end before it starts.")
    return None


def supersedes_problem(
    claim_id: int | None, supersedes_id: int | None, supersedes_of: Callable[[int], int | None]
) -> Problem | None:
    """A correction points at another claim, and never, through a chain of corrections, back
    at itself. ``supersedes_of(pk)``: the claim that claim corrects, None at a chain's end
    (a query for the services; the file's own links for the importer)."""
    seen = {claim_id} if claim_id is not None else set()
    current = supersedes_id
    while current is not None:
        if current in seen:
            return Problem(
                "supersedes_cycle", "A claim cannot supersede itself, directly or through the claims it corrects."
            )
        seen.add(current)
        current = supersedes_of(current)
    return None


def superseded_problem(published_correction: int | None) -> Problem | None:
    """A claim whose correction is published is not published itself: the correction
    retracted it when it was approved, or would have, had the claim been public then. Both
    public at once would say two things, one of them known to be wrong."""
    if published_correction is None:
        return None
    return Problem(
        "superseded",
        f"Claim #{published_correction}, which corrects this one, is published: this claim stays out of public view.",
    )


def content_edit_problem(*, status: str, is_author: bool, is_analyst: bool, is_reviewer: bool) -> Problem | None:
    """Content changes only in draft and changes requested, by its author or a reviewer."""
    if not (is_analyst and (is_author or is_reviewer)):
        return Problem("not_editor", "Only the claim's author or a reviewer may change its content.")
    if status not in EDITABLE_STATUSES:
        return Problem("content_frozen", "Its content can change only in draft or changes requested.")
    return None


def delete_problem(
    *, status: str, was_submitted: bool, is_superseded: bool, is_author: bool, is_analyst: bool, is_reviewer: bool
) -> Problem | None:
    """Only a never-submitted draft, that no claim supersedes, is deleted, by whoever may
    edit it; anything else is retracted instead."""
    if not (is_analyst and (is_author or is_reviewer)):
        return Problem("not_editor", "Only the claim's author or a reviewer may delete it.")
    if status != Status.DRAFT or was_submitted:
        return Problem("claim_was_submitted", "A claim that was ever submitted is never deleted; retract it instead.")
    if is_superseded:
        return Problem("claim_is_superseded", "Another claim supersedes this one.")
    return None


def reviewed_content_problem(*, is_reviewer: bool, shown_by_reviewed_claims: bool, what: str) -> Problem | None:
    """What a published (or retracted) claim shows was reviewed: a source it cites, an
    entity it is tagged with, changes only by a reviewer."""
    if shown_by_reviewed_claims and not is_reviewer:
        return Problem(
            "reviewed_content",
            f"This {what} is shown by published or retracted claims: only a reviewer may change it.",
        )
    return None


# ---------------------------------------------------------------------------------------------
# Relations between claims

RELATION_KINDS = tuple(ClaimRelation.Kind.values)
RELATION_NOTE_MAX_LENGTH = 10_000


@dataclass(frozen=True)
class FieldProblem(Problem):
    """A problem with one named input field."""

    field: str = ""


def relation_problem(*, from_id: int, to_id: int, kind: str, note: str) -> FieldProblem | None:
    """A relation joins two different claims, with a known kind and a note of bounded
    length. (That a pair has one relation of a kind is ``relation_key``'s business.)"""
    if kind not in RELATION_KINDS:
        return FieldProblem("invalid", f"Unknown kind {kind!r}: one of {', '.join(RELATION_KINDS)}.", "kind")
    if from_id == to_id:
        return FieldProblem("self_relation", "A claim cannot be related to itself.", "to_claim")
    if len(note) > RELATION_NOTE_MAX_LENGTH:
        return FieldProblem("invalid", f"The note is longer than {RELATION_NOTE_MAX_LENGTH} characters.", "note")
    return None


def relation_key(from_id, to_id, kind: str) -> tuple:
    """Two relations with the same key are one relation: a pair of claims has at most one
    of each kind, whichever way round it was recorded (``contradicts`` and ``related`` are
    symmetric; two claims are not each a duplicate of the other)."""
    first, second = sorted((from_id, to_id), key=str)
    return kind, first, second


# ---------------------------------------------------------------------------------------------
# A moderation log as a whole (what an import brings)


@dataclass(frozen=True)
class LogEntry:
    actor_id: int
    action: str
    from_status: str
    to_status: str
    # Whether the actor had contributed to the claim when they took this step; None: not
    # known, and any contribution counts (``contributor_ids``). A reviewer who requested
    # changes may change the claim afterwards (its content is editable then), and one who
    # decided may change a source it cites: those later contributions bind later decisions.
    actor_contributed: bool | None = None


def _contributed_then(entry: LogEntry, contributor_ids: Collection[int]) -> bool:
    if entry.actor_contributed is not None:
        return entry.actor_contributed
    return entry.actor_id in contributor_ids


def log_problems(
    *,
    status: str,
    entries: Sequence[LogEntry],
    author_id: int,
    contributor_ids: Collection[int],
    reviewer_ids: Collection[int],
) -> list[Problem]:
    """A log agrees with the claim's status and with the workflow: each entry is a
    transition of the table (from its source status to its target), entries follow each
    other, the last one ends at ``status`` (no log: a draft), nobody decided on a claim
    they had contributed to (``LogEntry.actor_contributed``), and a published or retracted claim was approved by someone who
    did not contribute. ``reviewer_ids``: the actors who are reviewers."""
    problems = []
    previous = Status.DRAFT
    approved = False
    for index, entry in enumerate(entries):
        transition = TRANSITIONS.get(entry.action)
        if transition is None:
            problems.append(Problem("log_invalid", f"reviews[{index}]: unknown action {entry.action!r}"))
            continue
        if entry.from_status not in transition.sources:
            problems.append(Problem("log_invalid", f"reviews[{index}]: {entry.action} cannot start from {entry.from_status}"))
        if entry.to_status != transition.target:
            problems.append(Problem("log_invalid", f"reviews[{index}]: {entry.action} leads to {transition.target}, not {entry.to_status}"))
        if entry.from_status != previous:
            problems.append(Problem("log_invalid", f"reviews[{index}]: starts from {entry.from_status}, but the claim was {previous}"))
        is_author = entry.actor_id == author_id
        problem = actor_problem(
            entry.action,
            status=entry.from_status,
            is_author=is_author,
            is_analyst=True,  # the log's actors acted then; their roles now are not the question
            is_reviewer=entry.actor_id in reviewer_ids,
            is_contributor=_contributed_then(entry, contributor_ids),
        )
        if problem is not None and problem.code == "four_eyes":
            problems.append(Problem("four_eyes", f"reviews[{index}]: four-eyes rule: {entry.action} by a contributor to the claim"))
        if entry.action == Action.APPROVE and problem is None:
            approved = True
        previous = entry.to_status
    if previous != status:
        problems.append(Problem("log_inconsistent", f"the moderation log ends at {previous}, but the status is {status}"))
    if status in REVIEWED_STATUSES and not approved:
        problems.append(Problem("log_unapproved", f"a {status} claim needs an approval in its log by someone who did not contribute"))
    return problems


def late_evidence_problem(
    *,
    status: str,
    log: Sequence[tuple[str, dt.datetime | None]],
    evidence_dates: Sequence[dt.datetime | None],
    submitted_at: dt.datetime | None = None,
) -> Problem | None:
    """Evidence dated after the claim was last submitted, in a claim not editable since (in
    review, or decided and not reopened): its content could not change then, so the record
    is not what the workflow wrote. ``log``: each entry's target status and date, in order;
    ``submitted_at``: the claim's, which the last submission set (a log without dates
    still has it). The earlier of the two is the submission's time.

    (A source it cites can change after a decision, and its maker becomes a contributor
    then: a later contribution alone is not this.)"""
    if status in EDITABLE_STATUSES:
        return None
    logged = [when for to_status, when in log if to_status == Status.IN_REVIEW and when is not None]
    known = [when for when in (logged[-1] if logged else None, submitted_at) if when is not None]
    if not known:
        return None
    submitted = min(known)
    for index, added in enumerate(evidence_dates):
        if added is not None and added > submitted:
            return Problem(
                "content_frozen",
                f"evidence[{index}] is dated {added.isoformat()}, after the claim was last submitted "
                f"({submitted.isoformat()}): its evidence could not change then",
            )
    return None


# The decisions that name the claim's reviewer (``claim_transition`` sets it on these; retract
# and reopen leave it as it was).
REVIEWER_ACTIONS = frozenset({Action.APPROVE, Action.REQUEST_CHANGES, Action.REJECT})


def log_entry_problems(
    *,
    entries: Sequence[LogEntry],
    comments: Sequence[str],
    author_id: int,
    contributor_ids: Collection[int],
    reviewer_ids: Collection[int],
    reviewer_id: int | None,
) -> list[Problem]:
    """What ``claim_transition`` checks of each transition, asked of each entry of a log:
    whoever took it could (``actor_problem``: submit by the author or a reviewer, decisions
    and retraction by reviewers, reopen by a reviewer or the author of a rejected claim),
    with the comment it needs (``comment_problem``); and the claim's ``reviewer`` is the
    actor of the log's last decision. The log's order, its end and the four-eyes rule are
    ``log_problems``'s, and so is its policy on roles: who acted then need not be an analyst
    now, and a decision is a reviewer's (``reviewer_ids``: the actors who are)."""
    problems = []
    last_decider = None
    for index, (entry, comment) in enumerate(zip(entries, comments, strict=True)):
        if entry.action not in TRANSITIONS:
            continue  # log_problems names it
        problem = actor_problem(
            entry.action,
            status=entry.from_status,
            is_author=entry.actor_id == author_id,
            is_analyst=True,  # as in ``log_problems``: who left the analysts since acted then
            is_reviewer=entry.actor_id in reviewer_ids,
            is_contributor=_contributed_then(entry, contributor_ids),
        )
        if problem is not None and problem.code != "four_eyes":
            problems.append(Problem(problem.code, f"reviews[{index}]: {entry.action}: {problem.message}"))
        if (problem := comment_problem(entry.action, comment)) is not None:
            problems.append(Problem(problem.code, f"reviews[{index}]: {problem.message}"))
        if entry.action in REVIEWER_ACTIONS:
            last_decider = entry.actor_id
    if last_decider is not None and reviewer_id != last_decider:
        problems.append(Problem(
            "log_inconsistent", "the reviewer is not who took the moderation log's last decision"
        ))
    return problems

