"""Full-text search (``q``): the same claims come back on SQLite (FTS5) and PostgreSQL."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection

from claims import search, services
from claims.models import Claim, Evidence
from claims.search import parse_query, search_claims
from sources import anchoring
from sources.services import source_create
from tests.support import search_rows_out_of_step

pytestmark = pytest.mark.django_db

TEXT = (
    "The Security Council adopted resolution 1929 in June 2010. "
    "Moscow criticised the unilateral sanctions of Washington. "
    "Tehran answered that the enrichment programme would continue. "
    "Beijing abstained on nothing."
)


@pytest.fixture
def found(analyst):
    source = source_create(user=analyst, title="Search corpus", text=TEXT)

    def claim(text, *quotes):
        return services.claim_create(
            author=analyst,
            text=text,
            evidence=[services.EvidenceInput(source=source, quote=quote) for quote in quotes],
        )

    claims = {
        "vote": claim("Russia voted for resolution 1929.", "adopted resolution 1929"),
        "moscow": claim("Russia opposed extra measures.", "Moscow criticised the unilateral sanctions"),
        "tehran": claim("Iran kept enriching uranium.", "enrichment programme would continue"),
        "beijing": claim("China did not block the vote.", "Beijing abstained"),
    }

    def search(query):
        names = {claim.pk: name for name, claim in claims.items()}
        return {names[pk] for pk in search_claims(Claim.objects.all(), query).values_list("pk", flat=True)}

    search.claims = claims
    search.source = source
    return search


@pytest.mark.parametrize(
    "query, expected",
    [
        ("russia", {"vote", "moscow"}),
        ("RUSSIA", {"vote", "moscow"}),
        ("sanction", {"moscow"}),  # stemmed: the quote says "sanctions"
        ("criticised", {"moscow"}),  # a word of the evidence quote only
        ("russia 1929", {"vote"}),  # all words must occur
        ("russia unilateral", {"moscow"}),  # claim text and quote form one document
        ('"resolution 1929"', {"vote"}),
        ('"1929 resolution"', set()),  # a phrase keeps its order
        ("china or iran", {"beijing", "tehran"}),
        ("russia -moscow", {"vote"}),
        ("-russia", {"tehran", "beijing"}),
        ("uranium enrichment", {"tehran"}),
        ("nothing matches this", set()),
    ],
)
def test_search_finds_the_same_claims_on_every_database(found, query, expected):
    assert found(query) == expected


@pytest.mark.parametrize(
    "query, expected",
    [("russia", {"vote", "moscow"}), ('"resolution 1929"', {"vote"}), ("china or iran", {"beijing", "tehran"}),
     ("russia -moscow", {"vote"}), ("nothing matches this", set())],
)
def test_sqlite_walks_the_index_for_common_queries_with_the_same_results(found, monkeypatch, query, expected):
    if connection.vendor != "sqlite":
        pytest.skip("SQLite's plan for queries with many matches")
    monkeypatch.setattr(search, "COMMON_MATCHES", 1)  # every query that matches anything is common
    claims = search.search_claims(Claim.objects.all(), query)
    assert found(query) == expected
    assert ('+ 0) IN' in str(claims.query)) == bool(expected)
    # Ordered and paged as the list pages them: the same claims as by the list of matches.
    monkeypatch.setattr(search, "COMMON_MATCHES", 10**9)
    by_matches = search.search_claims(Claim.objects.all(), query)
    assert list(claims.order_by("-created_at", "-id")[:2]) == list(by_matches.order_by("-created_at", "-id")[:2])
    assert claims.count() == by_matches.count() == len(expected)


@pytest.mark.parametrize(
    "query, expected",
    [("russia", {"vote", "moscow"}), ('"resolution 1929"', {"vote"}), ("china or iran", {"beijing", "tehran"}),
     ("russia -moscow", {"vote"}), ("-russia", {"tehran", "beijing"}), ("nothing matches this", set())],
)
def test_postgresql_lists_few_matches_and_subqueries_many_with_the_same_results(found, monkeypatch, query, expected):
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL's plan for queries with few matches")
    # The planner's estimate rests on statistics that earlier tests' rows (and autovacuum)
    # leave behind: here it must not call any query common, whatever they say.
    monkeypatch.setattr(search, "COMMON_ESTIMATE", 10**12)
    listed = search.search_claims(Claim.objects.all(), query)
    assert not expected or "claims_claim_search" not in str(listed.query)  # few: the ids themselves
    assert found(query) == expected
    monkeypatch.setattr(search, "FEW_MATCHES", 0)  # every query that matches anything has many
    subqueried = search.search_claims(Claim.objects.all(), query)
    assert not expected or "claims_claim_search" in str(subqueried.query)
    assert found(query) == expected
    assert list(subqueried.order_by("-created_at", "-id")) == list(listed.order_by("-created_at", "-id"))


def test_postgresql_passes_few_matches_as_one_array_also_inside_a_subquery(found, monkeypatch):
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL's list of few matches")
    monkeypatch.setattr(search, "COMMON_ESTIMATE", 10**12)
    listed = search.search_claims(Claim.objects.all(), "russia")
    sql, params = listed.query.sql_with_params()
    assert "= ANY(%s)" in sql and sorted(params[-1]) == sorted(found.claims[name].pk for name in ("vote", "moscow"))
    # Inside a query of claims, where Django renames the inner table, the ids still select
    # the inner claims: a correction matching the search does not make what it corrects match.
    Claim.objects.filter(pk=found.claims["vote"].pk).update(supersedes=found.claims["tehran"])
    assert set(Claim.objects.filter(supersedes__in=listed)) == set()
    assert set(Claim.objects.filter(pk__in=listed.values("pk"))) == {found.claims["vote"], found.claims["moscow"]}


@pytest.mark.parametrize(
    "query",
    ['"', '""', "'", "*", "-", "--", "(", ")", "NEAR(a b)", "a AND", "OR", "NOT", "^x", "col:x", "a:b",
     '"unbalanced', "x\x00y", "🙂", "\\", "%", "_", ";DROP TABLE claims_claim;--", "!!! ???", "a" * 500],
)
def test_no_input_breaks_the_search(found, query):
    found(query)  # no exception


@pytest.mark.parametrize("dashes, expected", [(100, {"vote", "moscow"}), (101, {"tehran", "beijing"}),
                                               (2, {"vote", "moscow"}), (3, {"tehran", "beijing"})])
def test_a_run_of_negations_reads_as_what_it_means_on_every_database(found, client_for, analyst, dashes, expected):
    """Each "-" before a term negates it: an even run is the term, an odd one its exclusion.
    PostgreSQL refused a run of 32 or more with an error (a 500 through the API)."""
    for spaced in ("", " "):
        query = spaced.join("-" * dashes) + " russia" if spaced else "-" * dashes + "russia"
        assert found(query) == expected, query
    response = client_for(analyst).get("/api/v1/claims/", {"q": "-" * dashes + "russia"})
    assert response.status_code == 200
    names = {claim.pk: name for name, claim in found.claims.items()}
    assert {names[row["id"]] for row in response.json()["results"]} == expected


@pytest.mark.parametrize("query, expected", [
    ("S-300", "S-300"), ("a--b", "a--b"), ('"--oil"', '"oil"'), ("--oil ---gas", "oil -gas"), ("- - oil", "oil"),
    ("x\x00y", "x y"), ("  oil  ", "oil"), ("oil --", "oil"), ("oil - gas", "oil -gas"), ("- russia", "-russia"),
])
def test_the_query_both_engines_read(query, expected):
    assert search.normalised_query(query) == expected


def test_punctuation_only_matches_nothing_and_empty_matches_all(found):
    assert found("!!! ???") == set()
    assert found("   ") == set(found.claims)


def test_index_follows_text_edits_evidence_and_deletes(found, analyst):
    claims = found.claims
    services.claim_update(claim=claims["beijing"], user=analyst, text="China stayed silent.")
    assert found("block") == set()
    assert found("silent") == {"beijing"}
    evidence = Evidence.objects.get(claim=claims["tehran"])
    services.evidence_remove(evidence=evidence, user=analyst)
    assert found("programme") == set()
    services.evidence_add(
        claim=claims["tehran"], user=analyst, item=services.EvidenceInput(source=found.source, quote="Tehran answered")
    )
    assert found("tehran") == {"tehran"}
    services.claim_delete(claim=claims["vote"], user=analyst)
    assert found("1929") == set()


def test_q_filter_on_the_claim_list(client_for, analyst, found):
    response = client_for(analyst).get("/api/v1/claims/?q=russia+-moscow")
    assert response.status_code == 200
    assert [row["id"] for row in response.json()["results"]] == [found.claims["vote"].pk]


def test_parse_query_keeps_phrases_alternatives_and_exclusions():
    parsed = parse_query('russia "security council" or un -china -"big words" !!!')
    assert parsed.groups == [["russia"], ["security council", "un"]]
    assert parsed.excluded == ["china", "big words"]


def test_search_index_objects_exist():
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger' AND name LIKE '%fts%'")
            assert len(cursor.fetchall()) == 6
        else:
            # Unused, so not installed (claims/migrations/0012_pg_trgm_dropped.py).
            cursor.execute("SELECT extname FROM pg_extension WHERE extname = 'pg_trgm'")
            assert cursor.fetchone() is None
            cursor.execute("SELECT indexdef FROM pg_indexes WHERE tablename = 'claims_claim_search'")
            assert any("gin" in row[0].lower() for row in cursor.fetchall())


def test_a_claim_quoting_a_whole_long_report_is_indexed(analyst):
    # Distinct words beyond what one tsvector can hold (1 MB), quoted in passages of at most
    # 5,000 code points each; the document is cut instead.
    text = " ".join(f"lexeme{number}" for number in range(150_000))
    report = source_create(user=analyst, title="Long report", text=text)
    step = anchoring.MAX_QUOTE_LENGTH
    claim = services.claim_create(
        author=analyst,
        text="Quotes everything.",
        evidence=[
            services.EvidenceInput(source=report, start=start, end=min(start + step, len(text)))
            for start in range(0, len(text), step)
        ],
    )
    found = search_claims(Claim.objects.all(), "lexeme7")
    assert list(found.values_list("pk", flat=True)) == [claim.pk]


def test_postgresql_keeps_fine_statistics_of_the_search_documents(db):
    # Which way a query is answered rests on the planner's estimate of its matches.
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL's planner statistics")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT attstattarget FROM pg_attribute WHERE attrelid = 'claims_claim_search'::regclass AND attname = 'document'"
        )
        assert cursor.fetchone()[0] == 1000


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's search rows copy status and date")
def test_search_rows_follow_each_claims_status_and_creation_time_however_it_changes(found, analyst, reviewer):
    # A search with few matches picks its page by the copies (claims.fast_list): a stale one
    # would show a retracted claim as published, or put a page out of order.
    claims = found.claims
    assert search_rows_out_of_step() == []
    ready = services.claim_update(claim=claims["vote"], user=analyst, verdict=Claim.Verdict.SUPPORTED, confidence=Claim.Confidence.HIGH)
    vote = services.claim_submit(claim=ready, user=analyst)
    assert search_rows_out_of_step() == []
    services.claim_request_changes(claim=vote, user=reviewer, comment="Say which resolution.")
    assert search_rows_out_of_step() == []
    Claim.objects.filter(pk=claims["moscow"].pk).update(status=Claim.Status.REJECTED, created_at=dt.datetime(2001, 1, 1, tzinfo=dt.UTC))
    assert search_rows_out_of_step() == []
    with connection.cursor() as cursor:
        cursor.execute("UPDATE claims_claim SET created_at = created_at - interval '1 day', text = text || ' Later.'")
    assert search_rows_out_of_step() == []
    services.claim_update(claim=Claim.objects.get(pk=claims["tehran"].pk), user=analyst, text="Iran enriched more uranium.")
    assert search_rows_out_of_step() == []
    with connection.cursor() as cursor:
        cursor.execute("SELECT status FROM claims_claim_search WHERE claim_id = %s", [vote.pk])
        assert cursor.fetchone() == (Claim.Status.CHANGES_REQUESTED,)
