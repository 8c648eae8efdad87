"""A source's text (up to MAX_SOURCE_MB) is read only by the pages that show that source:
pages that name sources, list spans or show evidence read their titles and quotes, never
their texts. Joined for its title, a 50 MB text was read once for every row that cited it."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from sources.models import Span

pytestmark = pytest.mark.django_db

TEXT_COLUMN = '"sources_source"."text"'
TEXT_COLUMNS = (TEXT_COLUMN, '"sources_historicalsource"."text"')


@pytest.fixture
def cited(make_claim, analyst, reviewer):
    """A claim in review citing the source; another claim, approved, citing it too."""
    in_review = make_claim(analyst, status="in_review")
    make_claim(analyst, text="Russia voted for sanctions.", status="published", reviewer=reviewer)
    return in_review


def reads_source_text(client, url: str) -> list[str]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return [query["sql"][-400:] for query in captured if any(column in query["sql"] for column in TEXT_COLUMNS)]


def pages(claim) -> dict[str, str]:
    span = claim.evidence.get().span
    return {
        "claim list": reverse("admin:claims_claim_changelist"),
        "claim page": reverse("admin:claims_claim_change", args=[claim.pk]),
        "claim history": reverse("admin:claims_claim_history", args=[claim.pk]),
        "approve page": reverse("admin:claims_claim_moderate", args=[claim.pk, "approve"]),
        "review queue": reverse("admin:claims_claim_review_queue"),
        "evidence list": reverse("admin:claims_evidence_changelist"),
        "span list": reverse("admin:sources_span_changelist"),
        "span search": reverse("admin:sources_span_changelist") + "?q=Russia",
        "span picker": reverse("admin:autocomplete") + "?app_label=claims&model_name=evidence&field_name=span&term=Russia",
        "source list": reverse("admin:sources_source_changelist"),
        "source history": reverse("admin:sources_source_history", args=[span.source_id]),
        "source picker": reverse("admin:autocomplete") + "?app_label=sources&model_name=span&field_name=source&term=Sam",
        "home": reverse("admin:index"),
        "span list (API)": "/api/v1/spans/",
        "span page": reverse("admin:sources_span_change", args=[span.pk]),
        "source page": reverse("admin:sources_source_change", args=[span.source_id]),
    }


@pytest.mark.parametrize(
    "name",
    [
        "claim list", "claim page", "claim history", "approve page", "review queue", "evidence list",
        "span list", "span search", "span picker", "source list", "source history", "source picker", "home", "span list (API)",
    ],
)
def test_pages_that_name_sources_never_read_their_text(client_for, reviewer, cited, name):
    assert reads_source_text(client_for(reviewer), pages(cited)[name]) == []


@pytest.mark.parametrize("name", ["source page", "span page"])
def test_a_page_that_shows_a_source_reads_its_text_once(client_for, analyst, cited, name):
    assert len(reads_source_text(client_for(analyst), pages(cited)[name])) <= 1


def test_a_span_picker_names_each_passage_by_its_source_title_and_offsets(client_for, analyst, cited):
    span = cited.evidence.get().span
    url = pages(cited)["span picker"]
    with CaptureQueriesContext(connection) as captured:
        results = client_for(analyst).get(url).json()["results"]
    assert {"id": str(span.pk), "text": f"“{span.quote}” — Sample, {span.start}–{span.end}"} in results
    assert not any('FROM "sources_source"' in query["sql"] for query in captured)  # joined, not asked row by row


def test_a_span_named_on_its_own_asks_for_its_source_title_alone(cited):
    span = Span.objects.get(pk=cited.evidence.get().span_id)
    with CaptureQueriesContext(connection) as captured:
        assert str(span).endswith(f" — Sample, {span.start}–{span.end}")
    assert len(captured) == 1 and TEXT_COLUMN not in captured[0]["sql"]


def test_the_fields_that_name_a_source_are_stored_before_its_text():
    """On SQLite a column stored after a long text is read by walking the text's overflow
    pages: what names a source must come before it."""
    from sources.models import NAMING_FIELDS, Source

    if connection.vendor != "sqlite":
        pytest.skip("PostgreSQL keeps a long text out of the row (TOAST): the order does not matter there")
    with connection.cursor() as cursor:
        columns = [column.name for column in connection.introspection.get_table_description(cursor, Source._meta.db_table)]
    text = columns.index("text")
    assert all(columns.index(Source._meta.get_field(name).column) < text for name in NAMING_FIELDS)
    joined = str(with_source_titles_query().query)
    assert [column for column in columns[text:] if f'"sources_source"."{column}"' in joined] == []


def with_source_titles_query():
    from sources.models import with_source_titles

    return with_source_titles(Span.objects.all())


def test_the_source_history_tells_a_text_change_by_its_length_and_hash(client_for, analyst, source):
    from sources.services import source_update

    before = (source.text_length, source.text_sha256)
    source_update(source=source, user=analyst, text=source.text + " One more sentence.")
    source.refresh_from_db()
    url = reverse("admin:sources_source_history", args=[source.pk])
    assert reads_source_text(client_for(analyst), url) == []
    page = client_for(analyst).get(url).content.decode()
    assert f"{before[0]:,} characters, SHA-256 {before[1][:12]}…" in page
    assert f"{source.text_length:,} characters, SHA-256 {source.text_sha256[:12]}…" in page
    assert "Sample" in page  # each version named by its title
