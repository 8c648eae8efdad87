"""The source page: escaped text with highlighted spans, select-to-span, select-to-claim,
text edits through the service, and deletes that never turn into a 500."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from django.urls import reverse

from claims.models import Claim
from sources.admin import SourceAdmin
from sources.admin_views import render_marked_text
from sources.models import Source, Span
from sources.services import source_create, source_revision, span_create

from ..support import SAMPLE_TEXT, SEEDS_DIR
from .helpers import draft_with_evidence, form_data, messages_of

pytestmark = pytest.mark.django_db

SEED_WITH_SUP = "004_80fb5168a06efd21.txt"


def source_url(source: Source) -> str:
    return reverse("admin:sources_source_change", args=[source.pk])


def selection_url(source: Source) -> str:
    return reverse("admin:sources_source_span_from_selection", args=[source.pk])


class TextOf(HTMLParser):
    """The text a browser would put in the element with ``id``: what the selection JS reads."""

    def __init__(self, element_id: str):
        super().__init__(convert_charrefs=True)
        self.element_id, self.depth, self.parts = element_id, 0, []

    def handle_starttag(self, tag, attrs):
        if self.depth:
            self.depth += 1
        elif dict(attrs).get("id") == self.element_id:
            self.depth = 1

    def handle_endtag(self, tag):
        if self.depth:
            self.depth -= 1

    def handle_data(self, data):
        if self.depth:
            self.parts.append(data)


def rendered_text(html: str, element_id: str = "source-text") -> str:
    parser = TextOf(element_id)
    parser.feed(html)
    return "".join(parser.parts)


def test_source_text_is_escaped_and_spans_are_marked(client_for, analyst):
    text = "Intro <script>alert('x')</script> and 2006<sup>6</sup> & more."
    source = source_create(user=analyst, title="Hostile", text=text)
    span_create(source=source, user=analyst, quote="<sup>6</sup>")
    html = client_for(analyst).get(source_url(source)).content.decode()
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in html
    assert "<sup>" not in html
    assert 'data-spans="' in html and "&lt;sup&gt;6&lt;/sup&gt;</mark>" in html
    # What the browser reads back is the source text, character for character.
    assert rendered_text(html) == text


def test_seed_with_literal_sup_tags_renders_them_as_text(client_for, analyst):
    text = (SEEDS_DIR / SEED_WITH_SUP).read_text(encoding="utf-8")
    assert "<sup>" in text
    source = source_create(user=analyst, title="Seed 004", text=text)
    span_create(source=source, user=analyst, quote="<sup>1</sup>", occurrence=1)
    html = client_for(analyst).get(source_url(source)).content.decode()
    assert "<sup>" not in html
    assert "&lt;sup&gt;1&lt;/sup&gt;" in html
    assert rendered_text(html) == text


def test_rendering_keeps_every_character_with_overlapping_spans(analyst):
    text = "\n\r\nLead line\r\nα🙂β <b>bold</b> tail"
    source = source_create(user=analyst, title="Edge", text=text)
    first, _ = span_create(source=source, start=3, end=12)
    second, _ = span_create(source=source, start=8, end=16)
    nested, _ = span_create(source=source, start=9, end=10)
    html = f'<div id="source-text">{render_marked_text(text, [first, second, nested])}</div>'
    assert rendered_text(html) == text
    assert html.count("<mark") >= 4
    assert 'data-spans="%d %d %d"' % (first.pk, second.pk, nested.pk) in html


def test_orphaned_spans_are_listed_but_not_highlighted(client_for, analyst):
    source = source_create(user=analyst, title="S", text="Alpha beta gamma.")
    span, _ = span_create(source=source, quote="beta")
    Span.objects.filter(pk=span.pk).update(anchor_state=Span.AnchorState.ORPHANED)
    html = client_for(analyst).get(source_url(source)).content.decode()
    assert "<mark" not in html.split('id="source-text"')[1].split("</div>")[0]
    assert "1 orphaned" in html


def test_highlighted_span_links_to_the_claims_citing_it(client_for, analyst, source):
    claim = draft_with_evidence(analyst, source)
    html = client_for(analyst).get(source_url(source)).content.decode()
    claim_link = reverse("admin:claims_claim_change", args=[claim.pk])
    assert claim_link in html  # in the spans inline and in the reader's popover data
    assert f'"url": "{claim_link}"' in html


def test_selection_makes_a_span_from_code_point_offsets_after_an_emoji(client_for, analyst, source):
    quote = "Russia voted again."
    start = SAMPLE_TEXT.index(quote)
    assert "🙂" in SAMPLE_TEXT[:start]  # UTF-16 would count one more unit before it
    response = client_for(analyst).post(
        selection_url(source), {"start": start, "end": start + len(quote), "quote": quote}
    )
    span = Span.objects.get(source=source, quote=quote)
    assert (span.start, span.end) == (start, start + len(quote))
    assert response.status_code == 302 and response["Location"].endswith(f"#span-{span.pk}")


def test_selection_with_utf16_offsets_is_refused_not_stored(client_for, analyst, source):
    quote = "sits before this sentence"
    start = SAMPLE_TEXT.index(quote) + 1  # what a browser counts, unconverted
    response = client_for(analyst).post(
        selection_url(source), {"start": start, "end": start + len(quote), "quote": quote}, follow=True
    )
    assert not Span.objects.filter(quote=quote).exists()
    assert any("does not match" in message for message in messages_of(response))


def test_a_selection_ending_inside_a_character_is_refused_not_stored(client_for, analyst):
    # "The cafe" of "The café" written with a combining accent: the page paints the accent.
    source = source_create(user=analyst, title="Decomposed", text="The cafe\u0301 in Tehran.")
    client = client_for(analyst)
    response = client.post(selection_url(source), {"start": 0, "end": 8, "quote": "The cafe"}, follow=True)
    assert not Span.objects.exists()
    assert any("falls inside a character" in message for message in messages_of(response))
    response = client.post(reverse("admin:sources_span_add"), {"source": source.pk, "start": 0, "end": 8})
    assert response.status_code == 200 and not Span.objects.exists()
    assert "falls inside a character" in " ".join(response.context["adminform"].form.errors["end"])


def test_selection_needs_the_add_span_permission(client_for, viewer, source):
    response = client_for(viewer).post(selection_url(source), {"start": 0, "end": 6, "quote": "Russia"})
    assert response.status_code == 403
    assert not Span.objects.exists()


def test_selection_makes_a_draft_claim_with_the_passage_as_evidence(client_for, analyst, source):
    quote = "Moscow later said the sanctions went too far."
    start = SAMPLE_TEXT.index(quote)
    client = client_for(analyst)
    response = client.post(
        reverse("admin:claims_claim_from_selection"),
        {
            "source": source.pk, "start": start, "end": start + len(quote), "quote": quote,
            "text": "Moscow said the sanctions went too far.", "stance": "refutes",
            "verdict": "refuted", "confidence": "moderate",
        },
    )
    claim = Claim.objects.get()
    evidence = claim.evidence.get()
    # Back to the source at the passage: the next claim is one selection away.
    page = reverse("admin:sources_source_change", args=[source.pk])
    assert response.status_code == 302 and response["Location"] == f"{page}#span-{evidence.span_id}"
    assert (claim.status, claim.author, claim.verdict, claim.confidence) == ("draft", analyst, "refuted", "moderate")
    assert (evidence.stance, evidence.span.start, evidence.span.quote) == ("refutes", start, quote)
    # The message says how the passage stands to the claim, and asks only for what is missing.
    (message,) = messages_of(client.get(page))
    assert "“Moscow said the sanctions went too far.”, refuted by “Moscow later said" in message
    assert "Submit it for review there when it is ready." in message and "Set its" not in message


def test_a_claim_made_without_verdict_or_confidence_is_told_to_set_them(client_for, analyst, source):
    quote = "Russia voted six times"
    client = client_for(analyst)
    response = client.post(
        reverse("admin:claims_claim_from_selection"),
        {"source": source.pk, "start": 0, "end": len(quote), "quote": quote, "text": "Russia backed sanctions.",
         "stance": "supports", "verdict": "unverified", "confidence": ""},
        follow=True,
    )
    (message,) = messages_of(response)
    assert ", supported by “Russia voted six times”. Set its verdict and confidence there" in message


def test_select_to_claim_is_all_or_nothing(client_for, analyst, source):
    response = client_for(analyst).post(
        reverse("admin:claims_claim_from_selection"),
        {"source": source.pk, "start": 0, "end": 6, "quote": "Russia", "text": "", "stance": "supports", "verdict": "unverified"},
        follow=True,
    )
    assert not Claim.objects.exists() and not Span.objects.exists()
    assert any("No claim made" in message for message in messages_of(response))
    response = client_for(analyst).post(
        reverse("admin:claims_claim_from_selection"),
        {"source": source.pk, "start": 0, "end": 6, "quote": "Moscow", "text": "A claim.", "stance": "supports", "verdict": "unverified"},
        follow=True,
    )
    assert not Claim.objects.exists() and not Span.objects.exists()
    assert any("does not match" in message for message in messages_of(response))


def test_the_reader_offers_selection_only_to_those_who_may_use_it(client_for, analyst, viewer, source):
    assert 'id="cb-selection"' in client_for(analyst).get(source_url(source)).content.decode()
    assert 'id="cb-selection"' not in client_for(viewer).get(source_url(source)).content.decode()


def change_data(source: Source, **overrides) -> dict:
    data = {
        "title": source.title, "url": source.url or "", "publisher": source.publisher, "authors": source.authors,
        "published_on": "", "retrieved_at_0": source.retrieved_at.strftime("%Y-%m-%d"),
        "retrieved_at_1": source.retrieved_at.strftime("%H:%M:%S"), "language": source.language,
        "kind": source.kind, "reliability": source.reliability, "text": source.text, "notes": source.notes,
        "spans-TOTAL_FORMS": "0", "spans-INITIAL_FORMS": "0", "spans-MIN_NUM_FORMS": "0", "spans-MAX_NUM_FORMS": "1000",
        "_revision": source_revision(source),
    }
    data.update(overrides)
    return data


def test_editing_the_text_reanchors_spans_through_the_service(client_for, analyst, source):
    span, _ = span_create(source=source, quote="Moscow later said")
    new_text = "A new opening line.\n" + source.text
    response = client_for(analyst).post(source_url(source), change_data(source, text=new_text), follow=True)
    source.refresh_from_db()
    span.refresh_from_db()
    assert source.text == new_text
    assert (span.anchor_state, source.text[span.start : span.end]) == ("relocated", "Moscow later said")
    assert any("re-anchored" in message for message in messages_of(response))


def test_browser_line_breaks_alone_do_not_change_the_text(client_for, analyst, source):
    version = source.history.count()
    client = client_for(analyst)
    data = form_data(client.get(source_url(source)), "source_form")
    assert data["text"] == source.text
    data["text"] = source.text.replace("\n", "\r\n")
    assert client.post(source_url(source), data).status_code == 302
    source.refresh_from_db()
    assert source.text == SAMPLE_TEXT
    assert source.history.count() == version  # nothing changed, nothing written
    assert source.spans.count() == 0


def test_source_with_spans_shows_no_delete_and_refuses_it_without_a_500(client_for, superuser, source):
    span_create(source=source, quote="Russia voted six times")
    client = client_for(superuser)
    assert reverse("admin:sources_source_delete", args=[source.pk]) not in client.get(source_url(source)).content.decode()
    response = client.post(reverse("admin:sources_source_delete", args=[source.pk]), {"post": "yes"})
    assert response.status_code == 302 and response["Location"] == source_url(source)
    assert f"Source #{source.pk} is not deleted: It has 1 span marked on its text, which no claim cites; delete them first if they are no longer wanted." in client.get(source_url(source)).content.decode()
    assert Source.objects.filter(pk=source.pk).exists()


def test_bulk_delete_of_sources_reports_the_protected_ones(client_for, superuser, source, analyst):
    empty = source_create(user=analyst, title="Empty", text="Nothing cited here.")
    span_create(source=source, quote="Russia voted six times")
    response = client_for(superuser).post(
        reverse("admin:sources_source_changelist"),
        {"action": "delete_selected", "_selected_action": [source.pk, empty.pk], "post": "yes"},
        follow=True,
    )
    assert response.status_code == 200
    assert Source.objects.filter(pk=source.pk).exists()


def test_span_used_as_evidence_cannot_be_deleted(client_for, analyst, source):
    claim = draft_with_evidence(analyst, source)
    span = claim.evidence.get().span
    client = client_for(analyst)
    page = client.get(reverse("admin:sources_span_change", args=[span.pk])).content.decode()
    assert reverse("admin:sources_span_delete", args=[span.pk]) not in page
    response = client.post(reverse("admin:sources_span_delete", args=[span.pk]), {"post": "yes"})
    assert response.status_code == 302
    page = client.get(reverse("admin:sources_span_change", args=[span.pk])).content.decode()
    assert f"Span #{span.pk} is not deleted: This span is used as evidence; remove the evidence first." in page
    assert Span.objects.filter(pk=span.pk).exists()


def test_unused_span_is_deleted_through_the_service(client_for, analyst, source):
    span, _ = span_create(source=source, quote="Russia voted again.")
    response = client_for(analyst).post(reverse("admin:sources_span_delete", args=[span.pk]), {"post": "yes"})
    assert response.status_code == 302
    assert not Span.objects.filter(pk=span.pk).exists()


def test_span_add_form_checks_the_quote_against_the_text(client_for, analyst, source):
    client = client_for(analyst)
    response = client.post(reverse("admin:sources_span_add"), {"source": source.pk, "start": 0, "end": 6, "quote": "Moscow"})
    assert response.status_code == 200 and "does not match" in response.content.decode()
    response = client.post(reverse("admin:sources_span_add"), {"source": source.pk, "quote": "Moscow later said"})
    span = Span.objects.get()
    assert span.start == SAMPLE_TEXT.index("Moscow later said")
    # Shown where it is, highlighted in its source, named once (not “““Moscow…”).
    assert response.status_code == 302 and response["Location"] == f"{source_url(source)}#span-{span.pk}"
    (message,) = messages_of(client.get(response["Location"]))
    assert message.startswith(f"Span #{span.pk} added: “Moscow later said” — Sample, ") and "““" not in message


def test_a_repeated_quote_is_refused_with_its_places_to_choose_from(client_for, analyst, source):
    """The form has an occurrence to give, not a prefix or suffix: the refusal lists the
    places by the occurrence that picks each, with the words around them."""
    client = client_for(analyst)
    response = client.post(reverse("admin:sources_span_add"), {"source": source.pk, "quote": "Russia voted"})
    page = response.content.decode()
    assert response.status_code == 200 and "The quote occurs 2 times; say which by its occurrence" in page
    assert "prefix" not in page.split("errorlist")[1][:400]
    assert "<li>characters 0–12: “…<mark>Russia voted</mark> six times for UN Security Cou…”</li>" in page
    # The words around it as the text has them: no space added where it has none, a line
    # break shown as a space.
    assert " sits before this sentence. <mark>Russia voted</mark> again.…" in page
    response = client.post(reverse("admin:sources_span_add"), {"source": source.pk, "quote": "Russia voted", "occurrence": 2})
    assert response.status_code == 302 and Span.objects.get().start == SAMPLE_TEXT.rindex("Russia voted")



def test_a_repeated_quotes_places_show_the_words_around_it_as_the_text_has_them():
    """"Moscow's" had been shown "[Moscow] 's", and "Moscow—Rafsanjani" "[Moscow] —Rafsanjani"."""
    from sources.admin import _places_of
    from sources.anchoring import find_all

    text = "Tehran and Moscow's interests.\n\nAgainst Moscow—Rafsanjani said <so>."
    listed = _places_of(text, find_all(text, "Moscow"))
    assert "“…Tehran and <mark>Moscow</mark>&#x27;s interests. Against Moscow—…”" in listed
    assert "“… Moscow&#x27;s interests. Against <mark>Moscow</mark>—Rafsanjani said &lt;so&gt;.…”" in listed


def test_span_add_form_refuses_an_occurrence_with_offsets_as_the_api_does(client_for, analyst, source):
    # One rule for every way of naming a passage (anchoring.resolve_passage): the admin had
    # dropped the occurrence silently and saved the offsets.
    data = {"source": source.pk, "start": 0, "end": 6, "occurrence": 2}
    response = client_for(analyst).post(reverse("admin:sources_span_add"), data)
    assert response.status_code == 200 and "not with offsets" in response.content.decode()
    assert not Span.objects.exists()

def test_creating_a_source_in_the_admin_stores_the_text_verbatim(client_for, analyst):
    text = "  leading spaces, <b>tags</b>, trailing newline\n"
    data = change_data(Source(title="New", text=text, retrieved_at=Source().retrieved_at))
    response = client_for(analyst).post(reverse("admin:sources_source_add"), data)
    assert response.status_code == 302
    created = Source.objects.get(title="New")
    assert created.text == text and created.created_by == analyst


def test_the_source_list_shows_text_lengths_with_thousands_separated_and_sorts_by_them(client_for, analyst):
    source_create(user=analyst, title="Long one", text="word " * 2469)
    source_create(user=analyst, title="Short one", text="A few words.")
    changelist = reverse("admin:sources_source_changelist")
    html = client_for(analyst).get(changelist).content.decode()
    assert '<td class="field-text_size">12,345</td>' in html and '<td class="field-text_size">12</td>' in html
    column = 1 + list(SourceAdmin.list_display).index("text_size")
    # The newer source is listed first by default: longest first says the column sorted.
    descending = client_for(analyst).get(changelist, {"o": f"-{column}"}).content.decode()
    assert descending.index("Long one") < descending.index("Short one")


def test_the_source_page_counts_the_text_with_thousands_separated(client_for, analyst):
    source = source_create(user=analyst, title="Long one", text="word " * 2469)
    html = client_for(analyst).get(source_url(source)).content.decode()
    assert "12,345 characters" in html


@pytest.fixture
def long_text_limit(monkeypatch):
    """Texts over 50 characters count as long (the limit is a million)."""
    from sources import admin as source_admin

    monkeypatch.setattr(source_admin, "FORM_TEXT_LIMIT", 50)


def test_a_long_text_is_written_into_its_page_once_and_loaded_to_be_edited(client_for, analyst, source, long_text_limit):
    """The reader shows it; the form's textarea is empty and disabled until the text is
    loaded from its own address, exactly as stored."""
    client = client_for(analyst)
    html = client.get(source_url(source)).content.decode()
    phrase = "Moscow later said"
    assert html.count(phrase) == 1 and rendered_text(html).count(phrase) == 1
    text_url = reverse("admin:sources_source_text", args=[source.pk])
    assert f'data-load-text="{text_url}"' in html and "Load the text to edit it" in html
    assert 'name="text_loaded"' in html and "sources/deferred_text.js" in html
    loaded = client.get(text_url)
    assert loaded.status_code == 200 and loaded["Content-Type"] == "text/plain; charset=utf-8"
    assert loaded.content.decode() == source.text


def test_a_long_text_not_loaded_is_kept_whatever_is_sent(client_for, analyst, source, long_text_limit):
    text = source.text
    data = change_data(source, title="A new title", text="Forged: the text field was never loaded.")
    response = client_for(analyst).post(source_url(source), data, follow=True)
    source.refresh_from_db()
    assert (source.title, source.text) == ("A new title", text)
    assert any("The text sent was not used" in message for message in messages_of(response))
    data = change_data(source, title="Once more")
    del data["text"]  # what a browser sends: a disabled textarea is not sent
    assert client_for(analyst).post(source_url(source), data).status_code == 302
    source.refresh_from_db()
    assert (source.title, source.text) == ("Once more", text)


def test_a_long_text_loaded_and_edited_is_saved_and_reanchors(client_for, analyst, source, long_text_limit):
    span, _ = span_create(source=source, quote="Moscow later said")
    new_text = "A new opening line.\n" + source.text
    data = change_data(source, text=new_text.replace("\n", "\r\n"), text_loaded="1")
    assert client_for(analyst).post(source_url(source), data).status_code == 302
    source.refresh_from_db()
    span.refresh_from_db()
    assert source.text == new_text and span.anchor_state == "relocated"


def test_the_text_address_answers_only_those_who_may_change_the_source(client_for, analyst, viewer, source):
    text_url = reverse("admin:sources_source_text", args=[source.pk])
    assert client_for(viewer).get(text_url).status_code == 403
    assert client_for(analyst).get(reverse("admin:sources_source_text", args=[source.pk + 1000])).status_code == 404
    assert "no-store" in client_for(analyst).get(text_url)["Cache-Control"]


def test_an_edit_that_would_orphan_cited_evidence_is_saved_only_once_confirmed(client_for, analyst, source, make_claim):
    """The person is told which claims lose their evidence before it happens: an edit used
    to orphan the evidence of a claim in review with a green "Text changed"."""
    claim = make_claim(analyst, status="in_review")  # cites "Russia voted six times"
    span_create(source=source, quote="Moscow later said")  # a span nobody cites
    text = source.text
    new_text = text.replace("Russia voted six times", "Russia voted many times").replace("Moscow later said", "Moscow said")
    client = client_for(analyst)
    refused = client.post(source_url(source), change_data(source, text=new_text))
    page = refused.content.decode()
    assert refused.status_code == 200
    assert "no longer holds the words of 1 cited passage" in page and "“Russia voted six times”" in page
    assert f'/admin/claims/claim/{claim.pk}/change/' in page and 'name="orphans_confirmed"' in page
    source.refresh_from_db()
    assert source.text == text
    confirmed = client.post(source_url(source), change_data(source, text=new_text, orphans_confirmed="on"), follow=True)
    source.refresh_from_db()
    assert source.text == new_text
    assert any("1 orphaned" in message or "2 orphaned" in message for message in messages_of(confirmed))


def test_an_edit_that_orphans_only_uncited_spans_needs_no_confirmation(client_for, analyst, source):
    span_create(source=source, quote="Moscow later said")
    new_text = source.text.replace("Moscow later said", "Moscow said")
    assert client_for(analyst).post(source_url(source), change_data(source, text=new_text)).status_code == 302
    source.refresh_from_db()
    assert source.text == new_text


def test_a_bulk_delete_of_sources_a_rule_keeps_says_why_and_deletes_nothing(client_for, superuser, source):
    """Django's page said the account lacked the permission to delete sources and spans."""
    span_create(source=source, quote="Russia voted six times")
    spare = source_create(user=superuser, title="Spare", text="Nothing cites this.")
    client = client_for(superuser)
    data = {"action": "delete_selected", "_selected_action": [source.pk, spare.pk]}
    response = client.post(reverse("admin:sources_source_changelist"), data, follow=True)
    texts = messages_of(response)
    assert f"Source #{source.pk} is not deleted: It has 1 span marked on its text, which no claim cites; delete them first if they are no longer wanted." in texts
    assert "Nothing was deleted: select only what can be, and try again." in texts
    assert "permission" not in response.content.decode().lower().split("messagelist")[1][:2000]
    assert Source.objects.filter(pk__in=[source.pk, spare.pk]).count() == 2
    # What may go, goes, through Django's own confirmation.
    response = client.post(reverse("admin:sources_source_changelist"), {"action": "delete_selected", "_selected_action": [spare.pk]})
    assert response.status_code == 200 and "Are you sure" in response.content.decode()


def test_the_url_field_is_as_wide_as_the_admins_url_fields(client_for, analyst, source):
    """Declared on the form, it had lost the admin's class: a 180 px box cut every URL."""
    html = client_for(analyst).get(source_url(source)).content.decode()
    (tag,) = re.findall(r'<input[^>]*name="url"[^>]*>', html)
    assert 'class="vURLField"' in tag


def test_a_reader_who_may_not_edit_gets_the_text_once(client_for, viewer, source):
    """In the reader only: read-only, the form's text field wrote it a second time."""
    html = client_for(viewer).get(source_url(source)).content.decode()
    assert html.count("Moscow later said") == 1 and rendered_text(html).count("Moscow later said") == 1


def test_a_url_already_recorded_is_refused_naming_its_source_as_the_api_refuses_it(client_for, analyst, source):
    """The model's constraint named no source for the exact URL, while another spelling of it
    was refused by the services naming it: the admin says the same thing for both."""
    from sources.services import source_create

    recorded = source_create(user=analyst, title="Recorded page", text="Its text.", url="https://example.org/votes")
    client = client_for(analyst)
    for url in ("https://example.org/votes", "https://EXAMPLE.org/votes#comments"):
        response = client.post(source_url(source), change_data(source, url=url, title="Edited title"))
        assert response.status_code == 200  # the form again, on its field, with the edits kept
        assert response.context["adminform"].form.errors["url"] == [
            f"A source with this URL already exists: #{recorded.pk} (“Recorded page”, https://example.org/votes)."
        ]
        assert 'value="Edited title"' in response.content.decode()
    source.refresh_from_db()
    assert source.url != "https://example.org/votes"


def test_an_edit_the_services_refuse_is_shown_again_as_typed_with_the_reason(client_for, analyst, reviewer2, make_claim, source):
    """An analyst's edit of a source a published claim cites is a reviewer's to make: the
    form comes back with what was typed and why, and nothing is saved. A redirect had shown
    the saved values, the typing lost."""
    make_claim(analyst, status="published", reviewer=reviewer2)
    title = source.title
    data = change_data(source, title="A corrected title", notes="Checked against the print edition.")
    response = client_for(analyst).post(source_url(source), data)
    assert response.status_code == 200
    form = response.context["adminform"].form
    assert any("only a reviewer may change it" in error for error in form.non_field_errors())
    html = response.content.decode()
    assert 'value="A corrected title"' in html and "Checked against the print edition." in html
    source.refresh_from_db()
    assert (source.title, source.notes) == (title, "")


def test_a_claims_line_breaks_count_one_character_each_as_the_page_counts_them(client_for, analyst, source):
    """A browser sends a textarea's line breaks as CR LF: 499 characters on the page (19
    breaks) had been refused as 518."""
    text = "\r\n".join(["b" * 23] * 20) + "c" * 20
    assert len(text.replace("\r\n", "\n")) == 499
    quote = "Russia voted six times"
    response = client_for(analyst).post(
        reverse("admin:claims_claim_from_selection"),
        {"source": source.pk, "start": 0, "end": len(quote), "quote": quote, "text": text, "stance": "supports",
         "verdict": "unverified", "confidence": ""},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert Claim.objects.get().text == text.replace("\r\n", "\n")
