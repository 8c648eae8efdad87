"""Random sequences of workflow actions and content edits, by random users, never break the
workflow's invariants.

A small oracle, written from DESIGN.md's table rather than from the services, predicts the
outcome of every move: success, or which domain error. Domain errors are expected outcomes
of invalid moves; any other exception fails the test. After every step:

- a published claim has a reviewer who is not its author, a confidence, a verdict other
  than unverified, and evidence matching that verdict;
- every status change has its Review row: as many reviews as successful transitions, each
  one's ``from_status`` the previous one's ``to_status``, the last one's ``to_status`` the
  claim's status;
- ``version`` only grows: on every successful change, and not on an edit that changes
  nothing.

Each example runs inside a transaction that is rolled back at its end, so examples never
see each other's claims.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

import pytest
from django.contrib.auth.models import Group, User
from django.db import transaction
from hypothesis import HealthCheck, Phase, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from claims import services
from claims.models import Claim, Entity, Evidence, Review
from project.errors import Conflict, DomainError, InvalidInput, NotAllowed, StaleVersion
from sources.services import source_create, span_create

from ..support import SAMPLE_TEXT

pytestmark = pytest.mark.django_db

# ---------------------------------------------------------------------------------------------
# The oracle: DESIGN.md's workflow table, independent of the services' own tables.

USERS = ("analyst", "analyst2", "reviewer", "superuser")
# Hypothesis leans towards the first choice of a list: claims are mostly written by an
# analyst and acted on by a reviewer, as in real life, and every other pairing still occurs.
AUTHORS = USERS
ACTORS = ("reviewer", "analyst", "superuser", "analyst2")
REVIEWERS = {"reviewer", "superuser"}  # the superuser has every permission
TABLE = {
    # action: (from, to, comment required)
    "submit": ({"draft", "changes_requested"}, "in_review", False),
    "approve": ({"in_review"}, "published", False),
    "request_changes": ({"in_review"}, "changes_requested", True),
    "reject": ({"in_review"}, "rejected", True),
    "retract": ({"published"}, "retracted", True),
    "reopen": ({"rejected", "retracted"}, "draft", True),
}
FOUR_EYES = {"approve", "request_changes", "reject"}
EDITABLE = {"draft", "changes_requested"}
STANCES_NEEDED = {
    "supported": {"supports"},
    "refuted": {"refutes"},
    "disputed": {"supports", "refutes"},
}
VERDICTS = [choice.value for choice in Claim.Verdict]
CONFIDENCES = ["", "low", "moderate", "high"]
STANCES = [choice.value for choice in Evidence.Stance]
COMMENTS = ["Checked.", "", "   ", "Looks right."]


@dataclass
class Seen:
    """What the test knows of one claim, kept alongside the database."""

    author: str
    status: str = "draft"
    reviews: int = 0
    version: int = 1
    ever_submitted: bool = False
    supersedes: int | None = None
    # Who wrote or changed its content: none of them may decide on it (four-eyes).
    contributors: set[str] = field(default_factory=set)

    def __post_init__(self) -> None:
        self.contributors.add(self.author)


def evidence_matches(verdict: str, stances: set[str]) -> bool:
    return not (STANCES_NEEDED.get(verdict, set()) - stances)


def expect_transition(action: str, seen: Seen, claim: Claim, user: str, comment: str):
    """The outcome DESIGN.md prescribes: the target status, or the domain error's class."""
    is_author = seen.author == user
    is_reviewer = user in REVIEWERS
    if action == "submit":
        allowed = is_author or is_reviewer  # every user here is at least an analyst
    elif action == "reopen":
        allowed = is_reviewer or (seen.status == "rejected" and is_author)
    else:
        allowed = is_reviewer and not (action in FOUR_EYES and user in seen.contributors)
    if not allowed:
        return NotAllowed
    sources, target, comment_required = TABLE[action]
    if seen.status not in sources:
        return Conflict
    if comment_required and not comment.strip():
        return InvalidInput
    stances = set(claim.evidence.values_list("stance", flat=True))
    if action == "submit" and not stances:
        return Conflict
    # Everything approval needs is checked at submission already.
    if action in ("submit", "approve") and (
        claim.verdict == "unverified"
        or not claim.confidence
        or not evidence_matches(claim.verdict, stances)
    ):
        return Conflict
    if action == "approve" and not comment.strip() and Claim.objects.get(pk=claim.pk).has_checks:
        return InvalidInput  # the editorial checks warn: approving needs a comment
    return target


def may_edit(seen: Seen, user: str):
    """None when ``user`` may change the claim's content now, else the error's class."""
    if not (seen.author == user or user in REVIEWERS):
        return NotAllowed
    if seen.status not in EDITABLE:
        return Conflict
    return None


# ---------------------------------------------------------------------------------------------
# The machine

# Moves drawn by the one ``step`` rule. Separate rules would be subject to Hypothesis'
# swarm testing (each example enables a random subset of rules), which leaves many short
# examples without the transitions that reach deep states; one rule drawing from this
# list keeps every kind of move in every example.
MOVES = (*sorted(TABLE), "edit_claim", "edit_evidence", "delete")
DATES = st.dates(datetime.date(2000, 1, 1), datetime.date(2020, 1, 1))
CHANGES = st.one_of(
    st.fixed_dictionaries({"verdict": st.sampled_from(VERDICTS)}),
    st.fixed_dictionaries({"confidence": st.sampled_from(CONFIDENCES)}),
    st.fixed_dictionaries({"text": st.sampled_from(["Reworded.", "Reworded again."])}),
    st.fixed_dictionaries({"entities": st.sets(st.integers(0, 1))}),
    st.fixed_dictionaries({"period_start": DATES, "period_end": DATES}),
)
EVIDENCE_LISTS = st.lists(
    st.tuples(st.integers(0, 2), st.sampled_from(STANCES)), max_size=3, unique_by=lambda item: item[0]
)


class WorkflowMachine(RuleBasedStateMachine):
    # Set by the test: users, spans and entities, created once, outside the examples.
    world: dict = {}

    def __init__(self) -> None:
        super().__init__()
        # Each example runs in a savepoint of the test's transaction, rolled back at its end.
        self._atomic = transaction.atomic()
        self._atomic.__enter__()
        self.users: dict[str, User] = self.world["users"]
        self.spans = self.world["spans"]
        self.entities = self.world["entities"]
        self.seen: dict[int, Seen] = {}

    def teardown(self) -> None:
        transaction.set_rollback(True)
        self._atomic.__exit__(None, None, None)

    # -- rules --------------------------------------------------------------------------------

    @initialize(
        author=st.sampled_from(AUTHORS),
        verdict=st.sampled_from(["supported", "refuted", "disputed"]),
        start=st.sampled_from(["draft", "in_review", "published", "rejected"]),
    )
    def first_claim(self, author, verdict, start):
        # Approvable as it stands and, often, already some way along the workflow (by the
        # same services, checked like any other move), so that examples reach the later
        # states often.
        if verdict == "disputed":
            evidence = [(0, "supports"), (1, "refutes")]
        else:
            evidence = [(0, "supports" if verdict == "supported" else "refutes")]
        self._create(author, verdict, "high", evidence, None)
        claim, seen = self._pick(0)
        decider = "superuser" if author == "reviewer" else "reviewer"
        path = {
            "draft": [],
            "in_review": [(author, "submit")],
            "published": [(author, "submit"), (decider, "approve")],
            "rejected": [(author, "submit"), (decider, "reject")],
        }[start]
        for user, action in path:
            self._transition(claim, seen, action, user, "On the way.", stale=False)
            claim = Claim.objects.get(pk=claim.pk)
        assert seen.status == start

    @precondition(lambda self: len(self.seen) < 2)
    @rule(
        author=st.sampled_from(AUTHORS),
        verdict=st.sampled_from(VERDICTS),
        confidence=st.sampled_from(CONFIDENCES),
        evidence=EVIDENCE_LISTS,
        supersedes=st.none() | st.integers(0, 1),
    )
    def create_claim(self, author, verdict, confidence, evidence, supersedes):
        self._create(author, verdict, confidence, evidence, supersedes)

    @precondition(lambda self: self.seen)
    @rule(
        move=st.sampled_from(MOVES),
        index=st.integers(0, 1),
        user=st.sampled_from(ACTORS),
        comment=st.sampled_from(COMMENTS),
        # Now and then, act on an outdated version (an API client's stale If-Match).
        stale=st.integers(0, 9).map(lambda draw: draw == 9),
        change=CHANGES,
        evidence_move=st.sampled_from(["add", "stance", "remove"]),
        which=st.integers(0, 2),
        stance=st.sampled_from(STANCES),
    )
    def step(self, move, index, user, comment, stale, change, evidence_move, which, stance):
        claim, seen = self._pick(index)
        if move in TABLE:
            self._transition(claim, seen, move, user, comment, stale)
        elif move == "edit_claim":
            self._edit_claim(claim, seen, user, change)
        elif move == "edit_evidence":
            self._edit_evidence(claim, seen, user, evidence_move, which, stance)
        else:
            self._delete(claim, seen, user)

    # -- moves --------------------------------------------------------------------------------

    def _create(self, author, verdict, confidence, evidence, supersedes_index):
        supersedes = None
        if supersedes_index is not None and self.seen:
            supersedes = self._pick(supersedes_index)[0]
        claim = services.claim_create(
            author=self.users[author],
            text=f"Claim by {author}.",
            verdict=verdict,
            confidence=confidence,
            supersedes=supersedes,
            evidence=[
                services.EvidenceInput(span=self.spans[span_index], stance=stance)
                for span_index, stance in evidence
            ],
        )
        assert claim.status == "draft" and claim.version == 1
        self.seen[claim.pk] = Seen(author=author, supersedes=supersedes.pk if supersedes else None)

    def _transition(self, claim, seen, action, user, comment, stale):
        expected = StaleVersion if stale else expect_transition(action, seen, claim, user, comment)
        previous = None
        if seen.supersedes is not None and seen.supersedes in self.seen:
            previous = Claim.objects.get(pk=seen.supersedes)
        ok, _ = self._attempt(
            None if isinstance(expected, str) else expected,
            lambda: services.claim_transition(
                claim=claim,
                user=self.users[user],
                action=action,
                comment=comment,
                expected_version=claim.version - 1 if stale else claim.version,
            ),
            *([claim, previous] if previous else [claim]),
        )
        if not ok:
            return
        seen.status = expected
        seen.reviews += 1
        seen.ever_submitted |= action == "submit"
        self._grew(claim, seen)
        if action == "approve" and previous is not None:
            earlier = self.seen[previous.pk]
            if earlier.status == "published":
                # The correction is out: the claim it supersedes is retracted, with a review.
                earlier.status = "retracted"
                earlier.reviews += 1
                self._grew(previous, earlier)
            else:
                assert Claim.objects.get(pk=previous.pk).version == earlier.version

    def _edit_claim(self, claim, seen, user, change):
        if "entities" in change:
            change = {"entities": [self.entities[i] for i in sorted(change["entities"])]}
        expected = may_edit(seen, user)
        if expected is None and change.get("period_start", datetime.date.min) > change.get(
            "period_end", datetime.date.max
        ):
            expected = InvalidInput
        if "entities" in change:
            differs = set(claim.entities.all()) != set(change["entities"])
        else:
            differs = any(getattr(claim, name) != value for name, value in change.items())
        ok, _ = self._attempt(
            expected, lambda: services.claim_update(claim=claim, user=self.users[user], **change), claim
        )
        if not ok:
            return
        # An edit that changes nothing keeps the version (and so the ETag).
        if differs:
            self._grew(claim, seen)
            seen.contributors.add(user)
        else:
            self._kept(claim, seen)
        stored = Claim.objects.get(pk=claim.pk)
        for name, value in change.items():
            if name == "entities":
                assert set(stored.entities.all()) == set(value)
            else:
                assert getattr(stored, name) == value

    def _edit_evidence(self, claim, seen, user, evidence_move, which, stance):
        expected = may_edit(seen, user)
        rows = list(claim.evidence.order_by("id"))
        if evidence_move == "add":
            span = self.spans[which]
            if expected is None and any(row.span_id == span.pk for row in rows):
                expected = Conflict  # that evidence is there already
            item = services.EvidenceInput(span=span, stance=stance)

            def call():
                return services.evidence_add(claim=claim, user=self.users[user], item=item)

        elif not rows:
            return
        else:
            evidence = rows[which % len(rows)]
            differs = evidence_move == "remove" or evidence.stance != stance
            if evidence_move == "stance":

                def call():
                    return services.evidence_update(
                        evidence=evidence, user=self.users[user], stance=stance
                    )

            else:

                def call():
                    return services.evidence_remove(evidence=evidence, user=self.users[user])

        ok, _ = self._attempt(expected, call, claim)
        if not ok:
            return
        if evidence_move == "add" or differs:
            self._grew(claim, seen)
            seen.contributors.add(user)
        else:
            self._kept(claim, seen)
        if evidence_move == "add":
            assert claim.evidence.filter(span=span, stance=stance).exists()
        elif evidence_move == "stance":
            assert Evidence.objects.get(pk=evidence.pk).stance == stance
        else:
            assert not Evidence.objects.filter(pk=evidence.pk).exists()

    def _delete(self, claim, seen, user):
        expected = None
        if not (seen.author == user or user in REVIEWERS):
            expected = NotAllowed
        elif seen.status != "draft" or seen.ever_submitted:
            expected = Conflict
        elif any(other.supersedes == claim.pk for other in self.seen.values()):
            expected = Conflict
        ok, _ = self._attempt(
            expected, lambda: services.claim_delete(claim=claim, user=self.users[user]), claim
        )
        if ok:
            assert not Claim.objects.filter(pk=claim.pk).exists()
            del self.seen[claim.pk]

    # -- helpers ------------------------------------------------------------------------------

    def _pick(self, index: int) -> tuple[Claim, Seen]:
        pk = sorted(self.seen)[index % len(self.seen)]
        return Claim.objects.get(pk=pk), self.seen[pk]

    def _state(self, claims) -> list[tuple[int, int]]:
        return [
            (Claim.objects.get(pk=claim.pk).version, Review.objects.filter(claim=claim).count())
            for claim in claims
        ]

    def _attempt(self, expected, call, *claims: Claim):
        """Run ``call``; ``expected`` is None for success, else the domain error's class.

        On a refusal, nothing about the claims may have changed.
        """
        before = self._state(claims)
        try:
            result = call()
        except DomainError as error:
            assert expected is not None, f"expected success, got {error!r}"
            assert type(error) is expected, f"expected {expected.__name__}, got {error!r}"
            assert self._state(claims) == before, "a refused move changed the claim"
            return False, error
        assert expected is None, f"expected {expected.__name__}, but it succeeded"
        return True, result

    def _grew(self, claim: Claim, seen: Seen) -> None:
        version = Claim.objects.get(pk=claim.pk).version
        assert version > seen.version, f"version did not grow: {seen.version} -> {version}"
        seen.version = version

    def _kept(self, claim: Claim, seen: Seen) -> None:
        version = Claim.objects.get(pk=claim.pk).version
        assert version == seen.version, f"version moved without a change: {seen.version} -> {version}"

    # -- invariants ---------------------------------------------------------------------------

    @invariant()
    def claims_keep_their_invariants(self):
        for pk, seen in self.seen.items():
            claim = Claim.objects.get(pk=pk)
            reviews = list(claim.reviews.order_by("id"))

            assert claim.status == seen.status
            assert claim.version >= seen.version, "version went down"
            seen.version = claim.version

            # Every status change has its review, and they chain.
            assert len(reviews) == seen.reviews
            expected_from = "draft"
            for review in reviews:
                sources, target, _ = TABLE[review.action]
                assert review.from_status == expected_from
                assert review.from_status in sources and review.to_status == target
                if review.action in FOUR_EYES:
                    assert review.actor_id != claim.author_id
                expected_from = review.to_status
            assert expected_from == claim.status

            if claim.status == "published":
                assert claim.reviewer_id is not None
                assert claim.reviewer_id != claim.author_id
                assert claim.confidence
                assert claim.verdict != "unverified"
                stances = set(claim.evidence.values_list("stance", flat=True))
                assert evidence_matches(claim.verdict, stances)
                assert claim.published_at is not None
            if seen.ever_submitted:
                assert claim.submitted_at is not None
            if claim.status != "published" and claim.status != "retracted":
                assert claim.published_at is None

    @invariant()
    def no_stray_reviews(self):
        assert Review.objects.count() == sum(seen.reviews for seen in self.seen.values())


def test_random_workflows_keep_the_invariants(analyst, analyst2, reviewer, superuser):
    source = source_create(user=analyst, title="Sample", text=SAMPLE_TEXT)
    spans = [
        span_create(source=source, quote=quote)[0]
        for quote in ("Russia voted six times", "the sanctions went too far", "Russia voted again")
    ]
    entities = [
        Entity.objects.create(name="Russia", slug="russia", kind="country"),
        Entity.objects.create(name="Iran", slug="iran", kind="country"),
    ]
    assert not Claim.objects.exists()
    WorkflowMachine.world = {
        "users": {
            "analyst": analyst,
            "analyst2": analyst2,
            "reviewer": reviewer,
            "superuser": superuser,
        },
        "spans": spans,
        "entities": entities,
    }
    try:
        run_state_machine_as_test(
            WorkflowMachine,
            settings=settings(
                max_examples=30,
                stateful_step_count=25,
                deadline=None,
                suppress_health_check=[HealthCheck.too_slow],
                # No shrinking: a failing run prints its whole sequence (25 steps at most)
                # at once, instead of spending minutes minimising it.
                phases=[Phase.explicit, Phase.generate],
                database=None,
            ),
        )
    finally:
        WorkflowMachine.world = {}
    # Nothing leaked out of the examples.
    assert not Claim.objects.exists()
    assert not Review.objects.exists()
    assert Group.objects.filter(name__in=["Analysts", "Reviewers"]).count() == 2
