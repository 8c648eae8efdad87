"""Editorial checks in the admin: the claim page, the review queue card, the comment page
that approving a claim with warnings goes through, and the list filter."""

from __future__ import annotations

import pytest
from django.urls import reverse

from claims.models import Claim

from .helpers import listed_versions

pytestmark = pytest.mark.django_db

TEXT = "Russia voted seven times for UN Security Council sanctions on Iran."


def test_claim_page_shows_the_warnings(client_for, analyst, reviewer, make_claim):
    claim = make_claim(analyst, text=TEXT, status="in_review")
    html = client_for(reviewer).get(reverse("admin:claims_claim_change", args=[claim.pk])).content.decode()
    assert 'data-code="number_not_in_evidence"' in html
    assert "&quot;seven&quot;" in html


def test_review_queue_card_shows_the_warnings(client_for, analyst, reviewer, make_claim):
    make_claim(analyst, text=TEXT, status="in_review")
    html = client_for(reviewer).get(reverse("admin:claims_claim_review_queue")).content.decode()
    assert 'data-code="number_not_in_evidence"' in html


def test_approve_button_of_a_claim_with_warnings_opens_the_comment_page(client_for, analyst, reviewer, make_claim):
    claim = make_claim(analyst, text=TEXT, status="in_review")
    client = client_for(reviewer)
    url = reverse("admin:claims_claim_moderate", args=[claim.pk, "approve"])
    html = client.get(reverse("admin:claims_claim_change", args=[claim.pk])).content.decode()
    assert f'href="{url}"' in html  # a link to the comment page, not a one-click form
    response = client.post(url, {"comment": "", "version": claim.version})
    assert response.status_code == 200
    assert "approving needs a comment" in response.content.decode()
    claim.refresh_from_db()
    assert claim.status == "in_review"
    client.post(url, {"comment": "The seventh vote is the 2015 one.", "version": claim.version})
    claim.refresh_from_db()
    assert claim.status == "published"
    assert claim.reviews.last().comment == "The seventh vote is the 2015 one."


def test_the_comment_page_of_approving_a_claim_with_warnings_says_the_comment_is_required(client_for, analyst, reviewer, make_claim):
    """It must not say "(optional)" above a comment the approval then demands."""
    warned = make_claim(analyst, text=TEXT, status="in_review")
    clean = make_claim(analyst, status="in_review")
    client = client_for(reviewer)
    page = client.get(reverse("admin:claims_claim_moderate", args=[warned.pk, "approve"]))
    html = page.content.decode()
    assert page.context["form"].fields["comment"].required
    assert '<label for="id_comment" class="required">Comment</label>' in html and "(optional)" not in html
    assert "say why the editorial checks&#x27; warnings do not apply" in html
    assert "autofocus" in str(page.context["form"]["comment"])
    html = client.get(reverse("admin:claims_claim_moderate", args=[clean.pk, "approve"])).content.decode()
    assert "Comment (optional)" in html
    html = client.get(reverse("admin:claims_claim_moderate", args=[clean.pk, "reject"])).content.decode()
    assert '<label for="id_comment" class="required">Comment</label>' in html
    assert "Required: the author and other staff read it; it is not public." in html
    # The queue card's placeholder says it too.
    queue = client.get(reverse("admin:claims_claim_review_queue")).content.decode()
    assert queue.count("to approve, say why the warnings above do not apply") == 1


def test_the_services_message_counts_the_problems_in_words(analyst, reviewer, make_claim):
    from claims.services import claim_transition
    from project.errors import InvalidInput

    claim = make_claim(analyst, text=TEXT, status="in_review")
    with pytest.raises(InvalidInput) as refused:
        claim_transition(claim=claim, user=reviewer, action="approve")
    assert refused.value.message == "The editorial checks found a problem; approving needs a comment saying why it does not apply."
    claim = make_claim(analyst, text=TEXT.replace("on Iran", "on Iran in 2031"), status="in_review")
    with pytest.raises(InvalidInput) as refused:
        claim_transition(claim=claim, user=reviewer, action="approve")
    assert refused.value.message.startswith("The editorial checks found 2 problems; approving needs a comment saying why they do not apply.")


def test_changelist_filters_claims_with_warnings(client_for, analyst, reviewer, make_claim):
    flagged = make_claim(analyst, text=TEXT)
    make_claim(analyst)
    response = client_for(reviewer).get(reverse("admin:claims_claim_changelist"), {"has_checks": "1"})
    assert [claim.pk for claim in response.context["cl"].result_list] == [flagged.pk]
    assert Claim.objects.filter(has_checks=True).count() == 1
    # The list says which claims have warnings, beside what needs attention.
    html = client_for(reviewer).get(reverse("admin:claims_claim_changelist")).content.decode()
    assert html.count('title="Number not in the evidence">1 warning</span>') == 1


def test_bulk_approve_of_claims_with_warnings_asks_for_a_comment_first(client_for, analyst, reviewer, make_claim):
    flagged = make_claim(analyst, text=TEXT, status="in_review")
    clean = make_claim(analyst, status="in_review")
    client = client_for(reviewer)
    changelist = reverse("admin:claims_claim_changelist")
    data = {"action": "approve_selected", "_selected_action": [flagged.pk, clean.pk]}
    response = client.post(changelist, data)
    assert response.status_code == 200 and "form" in response.context  # the comment page
    assert Claim.objects.get(pk=flagged.pk).status == "in_review"
    response = client.post(changelist, {**data, **listed_versions(response), "apply": "1", "comment": ""})
    assert "The editorial checks warn about some of these claims" in response.content.decode()
    client.post(changelist, {**data, **listed_versions(response), "apply": "1", "comment": "The seventh vote is on record elsewhere."})
    assert {Claim.objects.get(pk=pk).status for pk in (flagged.pk, clean.pk)} == {"published"}


def test_warnings_are_named_in_words_with_their_code_on_hover(client_for, analyst, reviewer, make_claim):
    from claims.checks import CODES, LABELS

    assert set(LABELS) == set(CODES)
    claim = make_claim(analyst, text=TEXT, status="in_review")
    html = client_for(reviewer).get(reverse("admin:claims_claim_change", args=[claim.pk])).content.decode()
    assert '<span class="cb-badge cb-check-code" title="number_not_in_evidence">Number not in the evidence</span>' in html
