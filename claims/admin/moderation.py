"""Moderation in the admin: the buttons on a claim, the comment page, and bulk actions.

All of it calls ``claims.services.claim_transition``, the function the API calls, so every
workflow rule holds here too: who may act (the four-eyes rule binds superusers as well),
from which status, the required comment, what approval needs. The admin only decides
what to offer (``allowed_actions``); the service decides what happens.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.admin import helpers
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse

from project.admin import id_or_none, message_domain_error, object_or_404, redirect_back, run_each, safe_next
from project.errors import DomainError
from sources.models import with_source_titles

from ..models import Claim, Review
from ..selectors import PUBLIC_COMMENT_ACTIONS
from ..rules import comment_needed
from ..services import TRANSITIONS, allowed_actions, claim_transition, possible_actions, readiness_problem, withheld_by_four_eyes

Action = Review.Action

# How each action reads on a button, and its tone (CSS class).
LABELS = {
    Action.SUBMIT: ("Submit for review", "primary"),
    Action.APPROVE: ("Approve and publish", "approve"),
    Action.REQUEST_CHANGES: ("Request changes", "warn"),
    Action.REJECT: ("Reject", "danger"),
    Action.RETRACT: ("Retract", "danger"),
    Action.REOPEN: ("Reopen as draft", "primary"),
}


# What a person reads once an action is done on claim #{pk}.
DONE = {
    Action.SUBMIT: "Claim #{pk} submitted for review.",
    Action.APPROVE: "Claim #{pk} approved: it is published.",
    Action.REQUEST_CHANGES: "Changes requested on claim #{pk}: it is back with its author.",
    Action.REJECT: "Claim #{pk} rejected.",
    Action.RETRACT: "Claim #{pk} retracted.",
    Action.REOPEN: "Claim #{pk} reopened as a draft.",
}


# What a claim "was ... meanwhile" after each action, when it overtook a person's decision.
MEANWHILE = {
    Action.SUBMIT: "submitted for review",
    Action.APPROVE: "published",
    Action.REQUEST_CHANGES: "sent back for changes",
    Action.REJECT: "rejected",
    Action.RETRACT: "retracted",
    Action.REOPEN: "reopened as a draft",
}


def label(action: str) -> str:
    return LABELS[action][0]


def overtaken(claim: Claim, action: str) -> str:
    """What to tell a person whose ``action`` the service refused because the claim moved
    on after their page was loaded: what happened, and by whom (the last Review row),
    rather than "reload it and try again" on a page that still offers the action."""
    if claim.status in TRANSITIONS[action].sources:
        return (
            f"Claim #{claim.pk} changed after you opened it (it is now at version {claim.version}): "
            "look at it again, then decide."
        )
    latest = claim.reviews.select_related("actor").order_by("-created_at", "-id").first()
    status = claim.get_status_display().lower()
    if latest is None or latest.to_status != claim.status:
        happened = f"Claim #{claim.pk} is {status} now"
    else:
        who = f" by {latest.actor.get_username()}" if latest.actor is not None else ""
        happened = f"Claim #{claim.pk} was {MEANWHILE[latest.action]} meanwhile{who}"
    return f"{happened}: “{label(action)}” no longer applies to it."


def log_transition(model_admin, request: HttpRequest, claim: Claim, action: str) -> None:
    """The decision in the admin's "Recent actions", beside the Review row the service wrote."""
    model_admin.log_change(request, claim, DONE[action].format(pk=claim.pk))


def url_action(action: str) -> str:
    """Actions appear in URLs as the API spells them: ``request-changes``."""
    return action.replace("_", "-")


class CommentForm(forms.Form):
    comment = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 4, "cols": 60}), label="Comment"
    )
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, action: str, warned: bool = False, several: bool = False, **kwargs):
        """``warned``: the claim (or, ``several``, one of the claims) the editorial checks
        warn about."""
        super().__init__(*args, **kwargs)
        required = self.fields["comment"].required = comment_needed(action, warned=warned)
        if required and not TRANSITIONS[action].comment_required:
            self.fields["comment"].help_text = "Required: say why the editorial checks' warnings do not apply. " + readers(action)
            self.fields["comment"].error_messages["required"] = (
                f"The editorial checks warn about {'some of these claims' if several else 'this claim'}: approving "
                "needs a comment saying why the warnings do not apply."
            )
        else:
            self.fields["comment"].help_text = f"{'Required' if required else 'Optional'}: {readers(action)}"
        self.fields["comment"].widget.attrs["autofocus"] = True


def readers(action: str) -> str:
    """Who reads the comment of ``action``: a retraction's reason is public, with the
    claim; any other is for the author and staff (``selectors.visible_reviews``)."""
    if action in PUBLIC_COMMENT_ACTIONS:
        return "published with the claim as the reason; anyone can read it."
    return "the author and other staff read it; it is not public."



def buttons(claim: Claim, user) -> list[dict]:
    """What ``user`` may do to ``claim`` now, as buttons: direct for actions without a
    required comment, through the comment page otherwise."""
    result = []
    for action in allowed_actions(claim, user):
        refused = readiness_problem(claim, action)
        result.append(
            {
                "action": action,
                "label": label(action),
                "tone": LABELS[action][1],
                "url": reverse("admin:claims_claim_moderate", args=[claim.pk, url_action(action)]),
                "needs_comment": comment_needed(action, warned=claim.has_checks),
                # What it would be refused for, as the claim is saved: said beside it.
                "refused": refused.message if refused else "",
            }
        )
    return result


# The decisions whose comment the author must read, by the status they leave a claim in.
SENT_BACK_BY = {Claim.Status.CHANGES_REQUESTED: Action.REQUEST_CHANGES, Claim.Status.REJECTED: Action.REJECT}


def sent_back(claim: Claim) -> Review | None:
    """The reviewer's decision a claim stands on, with its comment, shown at the top of the
    claim page: the request for changes it waits on, or why it was rejected; None for a
    claim in any other status."""
    action = SENT_BACK_BY.get(claim.status)
    if action is None:
        return None
    return claim.reviews.filter(action=action).select_related("actor").order_by("-created_at", "-id").first()


def panel_context(request: HttpRequest, claim: Claim) -> dict:
    withheld = withheld_by_four_eyes(claim, request.user)
    return {"buttons": buttons(claim, request.user), "claim": claim, "withheld": withheld.message if withheld else ""}


def moderate_view(model_admin, request: HttpRequest, object_id: str, action: str) -> HttpResponse:
    """GET: the comment page for one action. POST: take the action through the service;
    a missing required comment shows the page again, any other refusal is a message."""
    action = action.replace("-", "_")
    transition = TRANSITIONS.get(action)
    if transition is None:
        raise Http404("Unknown action.")
    claim = object_or_404(model_admin, request, object_id)
    if not model_admin.has_view_permission(request, claim):
        raise PermissionDenied
    change_url = reverse("admin:claims_claim_change", args=[claim.pk])
    form = CommentForm(
        request.POST if request.method == "POST" else None,
        action=action,
        warned=claim.has_checks,
        initial={"version": claim.version},
    )
    kept_comment = False
    available = True
    if request.method == "POST":
        if form.is_valid():
            try:
                claim_transition(
                    claim=claim,
                    user=request.user,
                    action=action,
                    comment=form.cleaned_data["comment"],
                    expected_version=form.cleaned_data.get("version"),
                )
            except DomainError as error:
                claim.refresh_from_db()
                if error.code == "stale_version":
                    # The claim moved on since the page was loaded: say what happened.
                    error = type(error)(overtaken(claim, action), code=error.code)
                available = claim.status in transition.sources
                if error.code == "comment_required":
                    form.add_error("comment", error.message)
                elif form.cleaned_data["comment"].strip():
                    # A comment was typed (here or in the review queue): show it again with
                    # the reason, rather than lose it to a redirect; a second try acts on
                    # the claim as it is now (the button is gone if the action no longer
                    # applies to it).
                    message_domain_error(request, error)
                    kept_comment = True
                    form.data = form.data.copy()
                    form.data["version"] = claim.version
                else:
                    # Back where the person was, at this claim (the queue's ``next`` points
                    # at the claim after it, for when the decision is taken).
                    message_domain_error(request, error)
                    return redirect_back(request, change_url, anchor=f"claim-{claim.pk}")
            else:
                log_transition(model_admin, request, claim, action)
                messages.success(request, DONE[action].format(pk=claim.pk))
                return redirect_back(request, change_url)
    elif action not in allowed_actions(claim, request.user):
        messages.error(request, f"“{label(action)}” is not available on claim #{claim.pk} now.")
        return HttpResponseRedirect(change_url)
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": Claim._meta,
        "title": f"{label(action)}: claim #{claim.pk}",
        "claim": claim,
        "action": action,
        "action_label": label(action),
        "tone": LABELS[action][1],
        "transition": transition,
        "form": form,
        "next": safe_next(request),
        "kept_comment": kept_comment,
        "available": available,
        "evidence": with_source_titles(claim.evidence, "span__source").order_by("id"),
    }
    return TemplateResponse(request, "admin/claims/claim/moderate.html", context)


# Decisions whose bulk form is a page of its own even without a required comment.
CONFIRMED_IN_BULK = frozenset({Action.APPROVE})


def listed_version(request: HttpRequest, claim: Claim) -> int:
    """The version of ``claim`` the bulk page listed (its hidden ``version_<pk>``); a claim
    the page did not list has none, and no version matches it.

    (Without it, a claim sent back, edited and submitted again while the page was open was
    approved as it had become: words the reviewer never saw, published.)"""
    version = id_or_none(request.POST.get(f"version_{claim.pk}", ""))
    return -1 if version is None else version


def _bulk(action: str):
    """A changelist action taking ``action`` on every selected claim, each through the
    service; a claim it cannot apply to is reported and the others go on. Actions that
    need a comment, and approval (publishing is not one click on a list), show an
    intermediate page first, listing the claims; there a comment is asked for or offered."""

    def bulk_action(model_admin, request, queryset):
        comment = ""
        warned = queryset.filter(has_checks=True).exists()
        if comment_needed(action, warned=warned) or action in CONFIRMED_IN_BULK:
            form = CommentForm(request.POST if "apply" in request.POST else None, action=action, warned=warned, several=True)
            if not form.is_valid():
                context = {
                    **model_admin.admin_site.each_context(request),
                    "opts": Claim._meta,
                    "title": f"{label(action)}: {queryset.count()} claim(s)",
                    "claims": queryset.select_related("author"),
                    "action": action,
                    "action_function": bulk_action.__name__,
                    "action_label": label(action),
                    "tone": LABELS[action][1],
                    "form": form,
                    "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
                }
                return TemplateResponse(request, "admin/claims/claim/moderate_selected.html", context)
            comment = form.cleaned_data["comment"]
        # Sent from the page listing the claims: each is decided as the page showed it.
        listed = "apply" in request.POST

        def operation(claim: Claim) -> None:
            try:
                claim_transition(
                    claim=claim,
                    user=request.user,
                    action=action,
                    comment=comment,
                    expected_version=listed_version(request, claim) if listed else None,
                )
            except DomainError as error:
                if error.code != "stale_version":
                    raise
                claim.refresh_from_db()
                raise type(error)(overtaken(claim, action), code=error.code) from error
            log_transition(model_admin, request, claim, action)

        run_each(request, queryset.order_by("id"), operation, f"{label(action)}: done for {{count}} claim(s).")
        return None

    bulk_action.__name__ = f"{action}_selected"
    bulk_action.short_description = f"{label(action)} (selected claims)"
    bulk_action.allowed_permissions = ("view",)
    return bulk_action


ACTIONS = [_bulk(action) for action in TRANSITIONS]


def actions_for(user, actions: dict) -> dict:
    """Offer the bulk actions the user's roles can take on some claim (the services'
    ``possible_actions``); the service still checks each claim."""
    possible = set(possible_actions(user))
    return {
        name: entry
        for name, entry in actions.items()
        if name.removesuffix("_selected") not in TRANSITIONS or name.removesuffix("_selected") in possible
    }
