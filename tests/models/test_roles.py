"""Roles: the groups the data migration creates, what each may do, and the four-eyes rule
that binds superusers too."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group, User

from claims import roles, services
from claims.models import Claim
from project.errors import NotAllowed

pytestmark = pytest.mark.django_db

ANALYST_PERMISSIONS = {
    "sources.add_source",
    "sources.change_source",
    "sources.delete_source",
    "sources.view_source",
    "sources.add_span",
    "sources.change_span",
    "sources.delete_span",
    "sources.view_span",
    "claims.add_entity",
    "claims.change_entity",
    "claims.view_entity",
    "claims.add_claim",
    "claims.change_claim",
    "claims.delete_claim",
    "claims.view_claim",
    "claims.add_evidence",
    "claims.change_evidence",
    "claims.delete_evidence",
    "claims.view_evidence",
    "claims.view_review",
    "claims.add_claimrelation",
    "claims.delete_claimrelation",
    "claims.view_claimrelation",
}


def _permissions(group_name: str) -> set[str]:
    group = Group.objects.get(name=group_name)
    return {
        f"{app_label}.{codename}"
        for app_label, codename in group.permissions.values_list("content_type__app_label", "codename")
    }


def test_roles_exist_as_groups():
    assert set(Group.objects.filter(name__in=["Analysts", "Reviewers"]).values_list("name", flat=True)) == {
        roles.ANALYSTS,
        roles.REVIEWERS,
    }


def test_analysts_edit_sources_spans_claims_and_evidence_but_do_not_review():
    permissions = _permissions("Analysts")
    assert permissions == ANALYST_PERMISSIONS
    assert roles.REVIEW_PERMISSION not in permissions


def test_reviewers_have_analyst_rights_plus_review():
    assert _permissions("Reviewers") == ANALYST_PERMISSIONS | {roles.REVIEW_PERMISSION}


def test_nobody_may_change_or_delete_the_moderation_log():
    for group in ("Analysts", "Reviewers"):
        permissions = _permissions(group)
        assert not {"claims.add_review", "claims.change_review", "claims.delete_review"} & permissions


def test_role_members_may_delete_only_sources_nothing_cites(analyst, source):
    # The permission is granted; the service still refuses a source that has spans.
    from project.errors import Conflict
    from sources.services import source_delete, span_create

    assert analyst.has_perm("sources.delete_source")
    span_create(source=source, user=analyst, quote="Russia voted six times")
    with pytest.raises(Conflict):
        source_delete(source=source, user=analyst)


@pytest.mark.parametrize(
    ("who", "expected_analyst", "expected_reviewer"),
    [
        ("analyst", True, False),
        ("reviewer", True, True),
        ("superuser", True, True),
        ("outsider", False, False),
    ],
)
def test_role_checks(request, who, expected_analyst, expected_reviewer):
    user = request.getfixturevalue(who)
    assert roles.is_analyst(user) is expected_analyst
    assert roles.is_reviewer(user) is expected_reviewer


def test_staff_flag_alone_grants_no_role():
    staff = User.objects.create(username="staff-only", is_staff=True)
    assert not roles.is_analyst(staff)
    assert not roles.is_reviewer(staff)


def test_inactive_users_lose_their_roles(reviewer, superuser):
    for user in (reviewer, superuser):
        user.is_active = False
        user.save()
        user = User.objects.get(pk=user.pk)  # permissions are cached per instance
        assert not roles.is_reviewer(user)
        assert not roles.is_analyst(user)


def test_anonymous_and_missing_users_have_no_role():
    from django.contrib.auth.models import AnonymousUser

    for user in (AnonymousUser(), None):
        assert not roles.is_analyst(user)
        assert not roles.is_reviewer(user)


def test_content_belongs_to_the_author_and_reviewers(
    make_claim, analyst, analyst2, reviewer, superuser, outsider
):
    claim = make_claim(analyst)
    assert services.can_edit(analyst, claim)
    assert services.can_edit(reviewer, claim)
    assert services.can_edit(superuser, claim)
    assert not services.can_edit(analyst2, claim)
    assert not services.can_edit(outsider, claim)


def test_author_who_left_the_analysts_can_no_longer_edit(make_claim, analyst):
    claim = make_claim(analyst)
    analyst.groups.clear()
    analyst = User.objects.get(pk=analyst.pk)
    assert not services.can_edit(analyst, claim)


def test_joining_reviewers_grants_the_review_actions(make_claim, analyst, analyst2):
    claim = make_claim(analyst, status="in_review")
    with pytest.raises(NotAllowed):
        services.claim_approve(claim=claim, user=analyst2)
    analyst2.groups.add(Group.objects.get(name="Reviewers"))
    analyst2 = User.objects.get(pk=analyst2.pk)
    assert services.claim_approve(claim=claim, user=analyst2).status == Claim.Status.PUBLISHED


# ---------------------------------------------------------------------------------------------
# The rules that roles do not override


def test_superuser_is_still_bound_by_four_eyes(make_claim, superuser, reviewer):
    claim = make_claim(superuser, status="in_review")
    for action in ("approve", "request_changes", "reject"):
        with pytest.raises(NotAllowed) as caught:
            services.claim_transition(claim=claim, user=superuser, action=action, comment="Mine.")
        assert caught.value.code == "four_eyes"
    claim.refresh_from_db()
    assert claim.status == Claim.Status.IN_REVIEW
    assert claim.reviews.count() == 1


def test_analyst_cannot_approve(make_claim, analyst, analyst2):
    claim = make_claim(analyst, status="in_review")
    for user in (analyst, analyst2):
        with pytest.raises(NotAllowed):
            services.claim_approve(claim=claim, user=user)
    assert Claim.objects.get(pk=claim.pk).status == Claim.Status.IN_REVIEW


def test_author_of_a_rejected_claim_may_reopen_it(make_claim, analyst, reviewer):
    claim = make_claim(analyst, status="rejected", reviewer=reviewer)
    assert services.claim_reopen(claim=claim, user=analyst, comment="Fixed.").status == Claim.Status.DRAFT


def test_author_of_a_retracted_claim_may_not_reopen_it(make_claim, analyst, reviewer):
    claim = make_claim(analyst, status="retracted", reviewer=reviewer)
    with pytest.raises(NotAllowed):
        services.claim_reopen(claim=claim, user=analyst, comment="Fixed.")
    assert Claim.objects.get(pk=claim.pk).status == Claim.Status.RETRACTED


def test_reviewer_who_authored_a_retracted_claim_may_reopen_it_as_reviewer(
    make_claim, reviewer, reviewer2
):
    claim = make_claim(reviewer, status="retracted", reviewer=reviewer2)
    assert services.claim_reopen(claim=claim, user=reviewer, comment="New facts.").status == Claim.Status.DRAFT


def test_user_without_a_role_does_nothing(make_claim, analyst, reviewer, outsider):
    claim = make_claim(analyst, status="in_review")
    with pytest.raises(NotAllowed):
        services.claim_create(author=outsider, text="Hello.")
    for action in ("approve", "request_changes", "reject"):
        with pytest.raises(NotAllowed):
            services.claim_transition(claim=claim, user=outsider, action=action, comment="No.")
    assert services.allowed_actions(claim, outsider) == []
