"""A much-cited source's page lists the first few claims citing each span, then links to
the claim list filtered to the span: its size and queries do not grow with its citations."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from claims.admin import source_reader
from claims.models import Claim, Evidence
from sources.services import span_create

pytestmark = pytest.mark.django_db

CLAIM_LINK = re.compile(r"/admin/claims/claim/(\d+)/change/")


def cite(span, author, count: int) -> list[Claim]:
    claims = Claim.objects.bulk_create(Claim(text=f"Claim {n} citing span {span.pk}.", author=author) for n in range(count))
    Evidence.objects.bulk_create(Evidence(claim=claim, span=span, added_by=author) for claim in claims)
    return claims


def inline_links(html: str) -> list[str]:
    """The claim links of the spans inline, by row."""
    inline = html.split('id="spans-group"')[1]
    return [row for row in inline.split("<tr")[1:] if "field-cited_by" in row]


def test_a_span_lists_its_first_claims_then_links_to_all_of_them(client_for, analyst, reviewer, source):
    span, _ = span_create(source=source, quote="Russia voted six times")
    claims = cite(span, analyst, source_reader.CITATIONS_PER_SPAN + 7)
    html = client_for(reviewer).get(reverse("admin:sources_source_change", args=[source.pk])).content.decode()
    [row] = inline_links(html)
    shown = [int(pk) for pk in CLAIM_LINK.findall(row)]
    assert shown == [claim.pk for claim in claims[: source_reader.CITATIONS_PER_SPAN]]
    more = f"{reverse('admin:claims_claim_changelist')}?span={span.pk}"
    assert f'<a class="cb-link" href="{more}">and 7 more →</a>' in row
    # The reader's popover holds the same few, and the same link.
    data = html.split('id="cb-span-data"')[1].split("</script>")[0]
    assert f'"url": "{more}"' in data and '"label": "and 7 more \\u2192"' in data


def test_the_claim_list_filtered_to_a_span_lists_every_claim_citing_it(client_for, analyst, reviewer, source):
    span, _ = span_create(source=source, quote="Russia voted six times")
    other, _ = span_create(source=source, quote="Russia voted again.")
    citing = cite(span, analyst, 12)
    cite(other, analyst, 3)
    response = client_for(reviewer).get(reverse("admin:claims_claim_changelist"), {"span": span.pk})
    assert {claim.pk for claim in response.context["cl"].result_list} == {claim.pk for claim in citing}
    assert f"Span #{span.pk} “Russia voted six times”" in response.content.decode()
    for value in ("0", "abc", "99999999999999999999999"):
        assert list(client_for(reviewer).get(reverse("admin:claims_claim_changelist"), {"span": value}).context["cl"].result_list) == []


def test_past_the_pages_share_a_span_has_only_the_link_to_its_claims(client_for, analyst, reviewer, source, monkeypatch):
    monkeypatch.setattr(source_reader, "CITATIONS_PER_PAGE", 4)
    first, _ = span_create(source=source, quote="Russia voted six times")
    second, _ = span_create(source=source, quote="Russia voted again.")
    cite(first, analyst, 3)
    cite(second, analyst, 6)
    links = source_reader.claims_citing([first.pk, second.pk])
    assert all(link.label.startswith("#") for link in links[first.pk]) and len(links[first.pk]) == 3
    assert links[second.pk][0].label.startswith("#") and len(links[second.pk]) == 2  # the page's last claim, then the rest
    assert links[second.pk][-1].label == "and 5 more →"
    monkeypatch.setattr(source_reader, "CITATIONS_PER_PAGE", 3)
    links = source_reader.claims_citing([first.pk, second.pk])
    assert [link.label for link in links[second.pk]] == ["6 claims →"]


def test_the_source_page_costs_the_same_queries_and_size_whatever_its_citations(client_for, analyst, reviewer, source):
    span, _ = span_create(source=source, quote="Russia voted six times")
    client = client_for(reviewer)
    url = reverse("admin:sources_source_change", args=[source.pk])
    cite(span, analyst, source_reader.CITATIONS_PER_SPAN + 1)
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        small = client.get(url).content.decode()
    cite(span, analyst, 300)
    with CaptureQueriesContext(connection) as many:
        large = client.get(url).content.decode()
    assert len(many) == len(few)
    # Whether the page offers to delete the source asks whether it has spans; counting the
    # claims citing it (the refusal's message) took a third of a second at 50,000.
    assert not [query["sql"] for query in many.captured_queries if "DISTINCT" in query["sql"]]
    assert "deletelink" not in large
    assert len(CLAIM_LINK.findall(large)) == len(CLAIM_LINK.findall(small))
    assert abs(len(large) - len(small)) < 20  # "and 1 more" against "and 301 more"
