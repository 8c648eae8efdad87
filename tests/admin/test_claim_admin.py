"""The claim list and change page: badges, filters, search, and every edit through the
services (creation with evidence in one go, version checks, the freeze, deletes)."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from claims import search, services
from claims.admin import claim as claim_admin
from claims.admin.claim import ClaimAdmin
from claims.models import Claim, Entity, Evidence
from sources.services import span_create

from .helpers import claim_url, draft_with_evidence, form_data, messages_of, said

pytestmark = pytest.mark.django_db

CHANGELIST = "admin:claims_claim_changelist"


def listed(client, **params) -> set[int]:
    response = client.get(reverse(CHANGELIST), params)
    assert response.status_code == 200
    return {claim.pk for claim in response.context["cl"].result_list}


def test_list_shows_status_and_verdict_badges_and_attention(client_for, analyst, reviewer, make_claim):
    claim = make_claim(analyst, status="published", reviewer=reviewer)
    Claim.objects.filter(pk=claim.pk).update(needs_attention=True)
    html = client_for(reviewer).get(reverse(CHANGELIST)).content.decode()
    assert 'class="cb-badge cb-status-published"' in html
    assert 'class="cb-badge cb-verdict-supported"' in html
    assert "cb-attention" in html


def test_list_filters_by_status_verdict_confidence_and_attention(client_for, analyst, reviewer, make_claim):
    published = make_claim(analyst, status="published", reviewer=reviewer, confidence="high")
    draft = make_claim(analyst, text="Another claim.", verdict="refuted", stance="refutes", confidence="low")
    Claim.objects.filter(pk=draft.pk).update(needs_attention=True)
    client = client_for(reviewer)
    assert listed(client, status__exact="published") == {published.pk}
    assert listed(client, verdict__exact="refuted") == {draft.pk}
    assert listed(client, confidence__exact="high") == {published.pk}
    assert listed(client, needs_attention="1") == {draft.pk}
    assert listed(client, needs_attention="0") == {published.pk}


def test_list_filters_by_entity_slug_or_name_and_by_author(client_for, analyst, analyst2, reviewer, make_claim):
    russia = Entity.objects.create(name="Russia", slug="russia", kind="country")
    about_russia = make_claim(analyst)
    services.claim_update(claim=about_russia, user=analyst, entities=[russia])
    other = make_claim(analyst2, text="Unrelated claim.")
    client = client_for(reviewer)
    assert listed(client, entity="russia") == {about_russia.pk}
    assert listed(client, entity="RUSSIA") == {about_russia.pk}
    assert listed(client, entity="nowhere") == set()
    assert listed(client, author=str(analyst2.pk)) == {other.pk}
    assert listed(client_for(analyst2), author="me") == {other.pk}


def test_the_result_count_is_shown_only_for_a_narrowed_list(client_for, analyst, reviewer, make_claim):
    make_claim(analyst, text="Iran restarted enrichment.")
    make_claim(analyst, text="Russia voted for sanctions.")
    client = client_for(reviewer)

    def count_line(**params):
        html = client.get(reverse(CHANGELIST), params).content.decode()
        return "Show all" in html, "1 result " in html

    assert count_line() == (False, False)
    assert count_line(q="enrichment") == (True, True)
    assert count_line(verdict__exact="supported", q="sanctions") == (True, True)
    assert count_line(created_at__year="2026") == (True, False)


def test_search_by_words_and_by_id(client_for, analyst, reviewer, make_claim):
    first = make_claim(analyst, text="Iran restarted enrichment.")
    second = make_claim(analyst, text="Russia voted for sanctions.")
    client = client_for(reviewer)
    assert listed(client, q="enrichment") == {first.pk}
    assert listed(client, q=f"#{second.pk}") == {second.pk}


@pytest.mark.parametrize("common_from", [10**9, 1])  # by the list of matches; walking the index (SQLite)
def test_search_counts_and_pages_its_results(client_for, analyst, reviewer, make_claim, monkeypatch, settings, common_from):
    monkeypatch.setattr(search, "COMMON_MATCHES", common_from)
    monkeypatch.setattr(ClaimAdmin, "list_per_page", 2)
    matching = [make_claim(analyst, text=f"Iran restarted enrichment, step {n}.") for n in range(3)]
    make_claim(analyst, text="Russia voted for sanctions.")
    published = make_claim(analyst, text="Enrichment resumed, published.", status="published", reviewer=reviewer)
    client = client_for(reviewer)

    def page(**params):
        changelist = client.get(reverse(CHANGELIST), params).context["cl"]
        return changelist.result_count, [claim.pk for claim in changelist.result_list]

    newest_first = [claim.pk for claim in reversed([*matching, published])]
    # Counted from the search index alone (no other filter), then with the filter.
    assert page(q="enrichment") == (4, newest_first[:2])
    assert page(q="enrichment", p="2") == (4, newest_first[2:])
    assert page(q="enrichment", status__exact="published") == (1, [published.pk])
    assert page(q="enrichment -resumed") == (3, newest_first[1:3])
    assert page(q="-enrichment") == (1, [c.pk for c in Claim.objects.exclude(pk__in=newest_first)])


def test_a_search_filtered_by_status_alone_is_counted_from_the_index_where_it_can(client_for, analyst, reviewer, make_claim, monkeypatch):
    published = [make_claim(analyst, text=f"Enrichment resumed, step {n}.", status="published", reviewer=reviewer) for n in range(3)]
    make_claim(analyst, text="Enrichment planned.")
    make_claim(analyst, text="Sanctions voted.", status="published", reviewer=reviewer)
    # A status changed by any path: PostgreSQL's search rows copy it (by a trigger).
    Claim.objects.filter(pk=published[0].pk).update(status="retracted")
    asked = []
    counted = claim_admin.count_matches
    monkeypatch.setattr(claim_admin, "count_matches", lambda *args, **kwargs: asked.append(kwargs["status"]) or counted(*args, **kwargs))
    client = client_for(reviewer)

    def page(**params):
        changelist = client.get(reverse(CHANGELIST), params).context["cl"]
        return changelist.result_count, {claim.pk for claim in changelist.result_list}

    assert page(q="enrichment", status__exact="published") == (2, {published[1].pk, published[2].pk})
    assert page(q="enrichment", status__exact="retracted") == (1, {published[0].pk})
    assert asked == ["published", "retracted"]  # SQLite's index has no status: it counts the claims
    # Any other filter beside the status: the claims are counted.
    assert page(q="enrichment", status__exact="published", verdict__exact="refuted") == (0, set())
    assert page(q="enrichment", status__exact="published", confidence__exact="moderate") == (2, {published[1].pk, published[2].pk})
    assert asked == ["published", "retracted"]


def test_adding_a_claim_creates_it_with_its_evidence_in_one_service_call(client_for, analyst, source):
    span, _ = span_create(source=source, quote="Moscow later said")
    entity = Entity.objects.create(name="Iran", slug="iran")
    client = client_for(analyst)
    data = form_data(client.get(reverse("admin:claims_claim_add")), "claim_form")
    data.update(
        {
            "text": "Moscow said the sanctions went too far.", "verdict": "supported", "confidence": "high",
            "entities": [str(entity.pk)], "evidence-0-span": str(span.pk), "evidence-0-stance": "supports",
        }
    )
    response = client.post(reverse("admin:claims_claim_add"), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    claim = Claim.objects.get()
    assert (claim.author, claim.status, claim.version) == (analyst, "draft", 1)
    assert list(claim.entities.all()) == [entity]
    assert [(e.span_id, e.stance, e.added_by) for e in claim.evidence.all()] == [(span.pk, "supports", analyst)]


def test_editing_a_draft_goes_through_claim_update_and_bumps_the_version(client_for, analyst, source):
    claim = draft_with_evidence(analyst, source)
    client = client_for(analyst)
    data = form_data(client.get(claim_url(claim)), "claim_form")
    data["text"] = "A clearer wording."
    response = client.post(claim_url(claim), data)
    assert response.status_code == 302
    claim.refresh_from_db()
    assert (claim.text, claim.version) == ("A clearer wording.", 2)
    assert claim.history.first().history_user == analyst


def test_a_stale_page_cannot_overwrite_a_newer_version(client_for, analyst, source):
    claim = draft_with_evidence(analyst, source)
    client = client_for(analyst)
    data = form_data(client.get(claim_url(claim)), "claim_form")
    services.claim_update(claim=claim, user=analyst, text="Changed meanwhile.")
    data["text"] = "My older edit."
    response = client.post(claim_url(claim), data)
    claim.refresh_from_db()
    assert claim.text == "Changed meanwhile."
    # Nothing typed is lost: the form comes back with the edit, the saved version beside it.
    html = response.content.decode()
    assert response.status_code == 200
    assert "My older edit." in html and "Changed meanwhile." in html
    assert "Someone saved this claim (now version 2) after you opened it at version 1" in html
    assert "Changed meanwhile." in html.split('class="cb-conflict"')[1]  # the saved text above the form
    # Saving again from the page shown (it carries the saved version) replaces it, knowingly.
    again = form_data(response, "claim_form")
    assert again["text"] == "My older edit."
    assert client.post(claim_url(claim), again).status_code == 302
    claim.refresh_from_db()
    assert claim.text == "My older edit."


@pytest.mark.parametrize("meanwhile", ["submitted", "approved"])
@pytest.mark.parametrize("pressed", [{"_save": "Save"}, {"_continue": "1", "_claim_then": "submit"}])
def test_a_save_overtaken_by_a_status_change_keeps_the_typing_and_says_why(client_for, analyst, reviewer, source, meanwhile, pressed):
    claim = draft_with_evidence(analyst, source)
    client = client_for(analyst)
    data = form_data(client.get(claim_url(claim)), "claim_form")
    services.claim_submit(claim=claim, user=analyst)
    if meanwhile == "approved":
        services.claim_approve(claim=claim, user=reviewer, comment="Checked.")
    data.update({"text": "My unsaved wording.", "notes": "My unsaved note.", **pressed})
    response = client.post(claim_url(claim), data)
    html = response.content.decode()
    assert response.status_code == 200
    status = "in review" if meanwhile == "submitted" else "published"
    assert f"Claim #{claim.pk} is {status}; its content can change only in draft or changes requested." in html
    assert "My unsaved wording." in html and "My unsaved note." in html
    assert "Analysts or Reviewers group" not in html and "Someone saved this claim" not in html
    claim.refresh_from_db()
    assert claim.text == "Moscow later said the sanctions went too far." and claim.notes == ""


def test_an_analyst_who_may_not_edit_a_claim_is_still_refused(client_for, analyst, analyst2, source):
    claim = draft_with_evidence(analyst, source)
    data = form_data(client_for(analyst).get(claim_url(claim)), "claim_form")
    data["text"] = "Not mine to change."
    assert client_for(analyst2).post(claim_url(claim), data).status_code == 403
    assert Claim.objects.get(pk=claim.pk).text != "Not mine to change."


def test_a_workflow_button_pressed_with_unsaved_edits_saves_them_first(client_for, analyst, source):
    claim = draft_with_evidence(analyst, source)
    client = client_for(analyst)
    data = form_data(client.get(claim_url(claim)), "claim_form")
    data.update({"text": "Edited, then submitted.", "_continue": "1", "_claim_then": "submit"})
    response = client.post(claim_url(claim), data, follow=True)
    claim.refresh_from_db()
    assert (claim.text, claim.status) == ("Edited, then submitted.", "in_review")
    assert any("submitted for review" in message for message in messages_of(response))


def test_a_refused_action_after_a_save_keeps_the_edits_and_says_why(client_for, analyst, source):
    claim = draft_with_evidence(analyst, source)
    client = client_for(analyst)
    data = form_data(client.get(claim_url(claim)), "claim_form")
    data.update({"text": "Edited, approval attempted.", "_continue": "1", "_claim_then": "approve"})
    response = client.post(claim_url(claim), data, follow=True)
    claim.refresh_from_db()
    assert (claim.text, claim.status) == ("Edited, approval attempted.", "draft")
    assert any(message.startswith("Your changes were saved, but:") for message in messages_of(response))


def test_a_claim_sent_back_shows_the_reviewers_comment_at_the_top(client_for, analyst, reviewer, make_claim):
    claim = make_claim(analyst, status="in_review")
    services.claim_request_changes(claim=claim, user=reviewer, comment="Cite the month of the vote.")
    html = client_for(analyst).get(claim_url(claim)).content.decode()
    top = html.split('id="claim_form"')[0]
    assert "Changes requested by reviewer" in top and "Cite the month of the vote." in top


def test_the_claim_page_names_people_without_links_to_administrators_pages(client_for, analyst, reviewer, make_claim):
    """A user's admin page answers analysts and reviewers with a 403: their names are text,
    the author's a link to their claims."""
    claim = make_claim(analyst, status="published", reviewer=reviewer)
    html = client_for(analyst).get(claim_url(claim)).content.decode()
    assert "/admin/auth/user/" not in html
    assert f'<a href="/admin/claims/claim/?author={analyst.pk}">analyst</a>' in html
    assert ">reviewer<" in html  # the reviewer, and the review log's actor
    headers = re.findall(r'<th class="column-(\w+)[^"]*">\s*([^<]+?)\s*<', html)
    assert ("actor_name", "Actor") in headers and ("transition", "From → to") in headers, headers


def test_a_rejected_claim_shows_why_at_the_top(client_for, analyst, reviewer, make_claim):
    claim = make_claim(analyst, status="in_review")
    services.claim_transition(claim=claim, user=reviewer, action="reject", comment="Out of scope: not about Iran.")
    top = client_for(analyst).get(claim_url(claim)).content.decode().split('id="claim_form"')[0]
    assert "Rejected by reviewer" in top and "Out of scope: not about Iran." in top and "reopen it as a draft" in top
    # Reopened, it stands on no decision any more.
    services.claim_transition(claim=claim, user=analyst, action="reopen", comment="Rewritten about Iran.")
    assert "Rejected by" not in client_for(analyst).get(claim_url(claim)).content.decode()


def test_evidence_is_added_changed_and_removed_in_one_service_call(client_for, analyst, source):
    claim = draft_with_evidence(analyst, source)
    extra_span, _ = span_create(source=source, quote="Russia voted again.")
    client = client_for(analyst)
    data = form_data(client.get(claim_url(claim)), "claim_form")
    data.update({"evidence-0-stance": "context", "evidence-2-0-span": str(extra_span.pk), "evidence-2-0-stance": "refutes"})
    assert client.post(claim_url(claim), data).status_code == 302
    claim.refresh_from_db()
    assert sorted(claim.evidence.values_list("stance", flat=True)) == ["context", "refutes"]
    assert claim.version == 2  # one save, one service call, one bump
    data = form_data(client.get(claim_url(claim)), "claim_form")
    data["evidence-0-DELETE"] = "on"
    assert client.post(claim_url(claim), data).status_code == 302
    assert claim.evidence.count() == 1


def test_orphaned_span_as_new_evidence_is_refused_with_a_message(client_for, analyst, source):
    claim = draft_with_evidence(analyst, source)
    span, _ = span_create(source=source, quote="Russia voted again.")
    span.anchor_state = "orphaned"
    span.save()
    client = client_for(analyst)
    data = form_data(client.get(claim_url(claim)), "claim_form")
    data.update({"evidence-2-0-span": str(span.pk), "evidence-2-0-stance": "supports"})
    response = client.post(claim_url(claim), data, follow=True)
    assert response.status_code == 200
    assert any("orphaned" in message for message in said(response))
    assert claim.evidence.count() == 1


def test_a_published_claim_opens_read_only_and_refuses_a_post(client_for, analyst, reviewer, make_claim):
    claim = make_claim(analyst, status="published", reviewer=reviewer)
    client = client_for(analyst)
    response = client.get(claim_url(claim))
    html = response.content.decode()
    assert 'name="_save"' not in html and 'name="text"' not in html
    assert client.post(claim_url(claim), {"text": "Rewritten after publication."}).status_code == 403
    claim.refresh_from_db()
    assert claim.text != "Rewritten after publication."


@pytest.mark.parametrize("status", ["in_review", "published", "retracted"])
@pytest.mark.parametrize("who", ["analyst", "reviewer"])
def test_a_claim_whose_evidence_cannot_change_shows_no_table_to_add_evidence(client_for, analyst, reviewer, make_claim, status, who):
    """A reviewer may delete evidence rows in general (the model permission), which let the
    empty "add evidence" table onto every frozen claim's page."""
    claim = make_claim(analyst, status=status, reviewer=reviewer)
    response = client_for({"analyst": analyst, "reviewer": reviewer}[who]).get(claim_url(claim))
    names = [str(formset.opts.verbose_name_plural) for formset in response.context["inline_admin_formsets"]]
    assert "add evidence" not in names and "evidence" in names
    assert "Add evidence" not in response.content.decode() and "add evidence" not in response.content.decode().lower()


def test_a_draft_shows_the_table_to_add_evidence_to_its_author(client_for, analyst, source):
    claim = draft_with_evidence(analyst, source)
    names = [str(f.opts.verbose_name_plural) for f in client_for(analyst).get(claim_url(claim)).context["inline_admin_formsets"]]
    assert "add evidence" in names


def test_another_analysts_draft_is_read_only_for_an_analyst(client_for, analyst, analyst2, source):
    claim = draft_with_evidence(analyst, source)
    assert 'name="_save"' not in client_for(analyst2).get(claim_url(claim)).content.decode()
    assert 'name="_save"' in client_for(analyst).get(claim_url(claim)).content.decode()


def test_claim_page_shows_the_review_log_and_the_field_history(client_for, analyst, reviewer, make_claim):
    claim = make_claim(analyst, status="changes_requested", reviewer=reviewer)
    html = client_for(analyst).get(claim_url(claim)).content.decode()
    assert "Review log" in html or "review log" in html
    assert "request_changes for the test" in html  # the reviewer's comment
    assert "Field history" in html
    assert "evidence added" in html and "in_review" in html
    assert reverse("admin:claims_claim_history", args=[claim.pk]) in html


def test_history_page_opens(client_for, analyst, source):
    claim = draft_with_evidence(analyst, source)
    services.claim_update(claim=claim, user=analyst, text="Second wording.")
    response = client_for(analyst).get(reverse("admin:claims_claim_history", args=[claim.pk]))
    assert response.status_code == 200 and "Second wording." in response.content.decode()


def test_a_never_submitted_draft_is_deleted_through_the_service(client_for, analyst, source):
    claim = draft_with_evidence(analyst, source)
    client = client_for(analyst)
    assert claim_url(claim, "delete") in client.get(claim_url(claim)).content.decode()
    assert client.post(claim_url(claim, "delete"), {"post": "yes"}).status_code == 302
    assert not Claim.objects.filter(pk=claim.pk).exists()
    assert not Evidence.objects.exists()


def test_a_submitted_claim_has_no_delete_and_refuses_one_without_a_500(client_for, analyst, reviewer, make_claim):
    claim = make_claim(analyst, status="rejected", reviewer=reviewer)
    claim = services.claim_transition(claim=claim, user=reviewer, action="reopen", comment="Try again.")
    client = client_for(reviewer)
    assert claim_url(claim, "delete") not in client.get(claim_url(claim)).content.decode()
    # The rule, not the person's groups, is why: the claim's page says so.
    for response in (client.get(claim_url(claim, "delete")), client.post(claim_url(claim, "delete"), {"post": "yes"})):
        assert response.status_code == 302 and response["Location"] == claim_url(claim)
    page = client.get(claim_url(claim)).content.decode()
    assert f"Claim #{claim.pk} is not deleted: A claim that was ever submitted is never deleted; retract it instead." in page
    assert Claim.objects.filter(pk=claim.pk).exists()


def test_no_bulk_delete_action_for_claims(client_for, superuser):
    response = client_for(superuser).get(reverse(CHANGELIST))
    assert "delete_selected" not in response.context["action_form"].fields["action"].choices.__repr__()


def test_the_add_form_refuses_a_text_of_invisible_characters_on_the_field(client_for, analyst):
    """Blank, as the model's rule has it (``project.validation.readable``): the form says so
    on the text, and nothing is created."""
    from .helpers import form_data

    client = client_for(analyst)
    data = form_data(client.get("/admin/claims/claim/add/"), "claim_form")
    data.update({"text": "\u200b\u2060", "verdict": "unverified"})
    response = client.post("/admin/claims/claim/add/", data)
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["text"]
    assert not Claim.objects.exists()


def test_dates_are_written_one_way_on_every_page(client_for, analyst, make_claim):
    """As analysts cite them, and as the field history writes them: 2026-12-05 11:34."""
    from django.utils import timezone

    claim = make_claim(analyst)
    written = timezone.localtime(claim.created_at).strftime("%Y-%m-%d %H:%M")
    client = client_for(analyst)
    assert written in client.get(reverse(CHANGELIST)).content.decode()
    page = client.get(claim_url(claim)).content.decode()
    assert page.count(written) >= 2  # the record's created at, and the field history
    assert " a.m." not in page and " p.m." not in page
