"""The fast claim list (``claims.fast_list``) answers the same bytes as ``ClaimSerializer``.

Each case renders one page twice: through DRF (the serializer over the prefetched queryset,
rendered by ``JSONRenderer``) and through ``fast_list``, for the same request, and compares
the bytes, over the API tests' ``rich_corpus`` (what tends to break a hand-made encoder).
"""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIRequestFactory, force_authenticate

from claims import fast_list, search
from claims.models import Claim
from claims.views import ClaimViewSet

pytestmark = pytest.mark.django_db


class SerializerClaimList(ClaimViewSet):
    """The list as DRF builds it: the reference the fast path must equal."""

    def list(self, request):
        return self.serialized_list(request)


class FastClaimList(ClaimViewSet):
    # The list's own queries are measured; the throttles' counts live in the cache.
    throttle_classes: list = []

    def list(self, request):
        from django.http import HttpResponse

        return HttpResponse(fast_list.list_page(request, self), content_type="application/json")


def _answer(view_class, path: str, user=None) -> tuple[int, bytes]:
    request = APIRequestFactory().get(path)
    if user is not None:
        force_authenticate(request, user)
    response = view_class.as_view({"get": "list"})(request)
    if hasattr(response, "render"):
        response.render()
    return response.status_code, bytes(response.content)


def _bytes(view_class, path: str, user=None) -> bytes:
    status_code, content = _answer(view_class, path, user)
    assert status_code == 200, content
    return content


PATHS = [
    "/api/v1/claims/",
    "/api/v1/claims/?status=published",
    "/api/v1/claims/?page_size=3",
    "/api/v1/claims/?ordering=published_at&page_size=4",
    "/api/v1/claims/?ordering=-id&page_size=2",
    "/api/v1/claims/?entity=iran",
    "/api/v1/claims/?needs_attention=true",
    "/api/v1/claims/?q=Russia",
    "/api/v1/claims/?q=claim&page_size=2",
    "/api/v1/claims/?q=%22six+times%22",
    "/api/v1/claims/?q=number+or+Russia&status=published",
    "/api/v1/claims/?q=claim+-number",
    "/api/v1/claims/?q=-number",
    "/api/v1/claims/?q=the",
    "/api/v1/claims/?q=%2B%2B%2B",
    "/api/v1/claims/?q=nothingmatchesthis",
    "/api/v1/claims/?q=+",
    "/api/v1/claims/?q=claim&status=draft",
    "/api/v1/claims/?status=draft",
    "/api/v1/claims/?status=retracted&page_size=1",
    "/api/v1/claims/?status=",
    "/api/v1/claims/?ordering=-created_at&page_size=3",
    "/api/v1/claims/?verdict=disputed",
    "/api/v1/claims/?verdict=supported&page_size=2",
    "/api/v1/claims/?status=published&verdict=supported&page_size=3",
    "/api/v1/claims/?confidence=moderate&status=retracted",
    "/api/v1/claims/?confidence=high",
    "/api/v1/claims/?verdict=refuted&confidence=low",
    "/api/v1/claims/?verdict=",
    "/api/v1/claims/?confidence=&page_size=2",
]


@pytest.mark.parametrize("path", PATHS)
@pytest.mark.parametrize("role", ["anonymous", "reviewer"])
def test_fast_list_bytes_equal_the_serializers(rich_corpus, reviewer, path, role):
    user = reviewer if role == "reviewer" else None
    expected = _bytes(SerializerClaimList, path, user)
    assert _bytes(FastClaimList, path, user) == expected


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/claims/?status=bogus",
        "/api/v1/claims/?page_size=0",
        "/api/v1/claims/?page_size=201",
        "/api/v1/claims/?cursor=not-a-cursor",
        "/api/v1/claims/?unknown=1&page_size=x",
        "/api/v1/claims/?verdict=bogus",
        "/api/v1/claims/?verdict=Supported",
        "/api/v1/claims/?confidence=%00",
        "/api/v1/claims/?status=published&confidence=very",
        "/api/v1/claims/?status=published&status=draft",
        "/api/v1/claims/?verdict=supported&verdict=refuted",
        "/api/v1/claims/?page_size=\u0663",
    ],
)
def test_fast_list_refuses_bad_parameters_as_drf_does(rich_corpus, path):
    assert _answer(FastClaimList, path) == _answer(SerializerClaimList, path)


def test_fast_list_cursor_of_another_ordering_is_refused_alike(rich_corpus, reviewer):
    import json

    first = json.loads(_bytes(SerializerClaimList, "/api/v1/claims/?ordering=id&page_size=2", reviewer))
    path = first["next"].replace("http://testserver", "").replace("ordering=id", "ordering=-created_at")
    assert _answer(FastClaimList, path, reviewer) == _answer(SerializerClaimList, path, reviewer)
    path = path.replace("&ordering=-created_at", "").replace("ordering=-created_at&", "")
    assert _answer(FastClaimList, path, reviewer) == _answer(SerializerClaimList, path, reviewer)


@pytest.mark.parametrize("start, least", [("/api/v1/claims/?page_size=2", 5), ("/api/v1/claims/?verdict=supported&page_size=2", 4)])
def test_fast_list_bytes_equal_on_every_page_both_ways(rich_corpus, reviewer, start, least):
    import json

    path = start
    pages = 0
    while path:
        expected = _bytes(SerializerClaimList, path, reviewer)
        assert _bytes(FastClaimList, path, reviewer) == expected
        body = json.loads(expected)
        if body["previous"]:
            previous = body["previous"].replace("http://testserver", "")
            assert _bytes(FastClaimList, previous, reviewer) == _bytes(SerializerClaimList, previous, reviewer)
        path = body["next"] and body["next"].replace("http://testserver", "")
        pages += 1
    assert pages >= least


@pytest.mark.parametrize("page_size", [1, 2, 3])
def test_search_first_page_is_exact_when_ids_do_not_follow_creation_order(rich_corpus, reviewer, monkeypatch, page_size):
    # Read the index one match at a time, and make the oldest claim the newest: the page
    # must still be the newest matches by creation time, as the general path's.
    monkeypatch.setattr(fast_list, "SEARCH_CHUNK", 1)  # SQLite: read the index match by match
    monkeypatch.setattr(search, "FEW_MATCHES", 1)  # PostgreSQL: take the index walk
    oldest = Claim.objects.order_by("id").first()
    Claim.objects.filter(pk=oldest.pk).update(created_at=timezone.now() + dt.timedelta(days=1))
    for query in ("claim", "number", "Russia"):
        path = f"/api/v1/claims/?q={query}&page_size={page_size}"
        assert _bytes(FastClaimList, path, reviewer) == _bytes(SerializerClaimList, path, reviewer)
        assert _bytes(FastClaimList, path) == _bytes(SerializerClaimList, path)


@pytest.mark.parametrize("query", ["claim", "Russia sanctions", '"six times"', "sanctions -Iran", "Russia or Iran"])
def test_search_first_page_is_exact_when_the_planner_calls_every_query_common(rich_corpus, reviewer, monkeypatch, query):
    # PostgreSQL: words go straight to the index walk, phrases still count their matches.
    monkeypatch.setattr(search, "COMMON_ESTIMATE", 0)
    path = f"/api/v1/claims/?q={query}&page_size=2"
    assert _bytes(FastClaimList, path, reviewer) == _bytes(SerializerClaimList, path, reviewer)
    assert _bytes(FastClaimList, path) == _bytes(SerializerClaimList, path)


@pytest.mark.parametrize("margin", [-1, 0, 1])
def test_search_first_page_is_exact_at_the_edge_of_few_matches(rich_corpus, reviewer, monkeypatch, margin):
    # PostgreSQL: one match fewer than the matches, as many, one more: the sorted page or the
    # walk, the same bytes as the general path's.
    query = "claim"
    matches = search.count_matches(query)
    assert matches and matches > 2
    monkeypatch.setattr(search, "FEW_MATCHES", matches + margin)
    monkeypatch.setattr(search, "COMMON_ESTIMATE", 10**9)
    for page_size in (1, 2):
        path = f"/api/v1/claims/?q={query}&page_size={page_size}"
        assert _bytes(FastClaimList, path, reviewer) == _bytes(SerializerClaimList, path, reviewer)
        assert _bytes(FastClaimList, path) == _bytes(SerializerClaimList, path)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's search statements")
def test_a_query_with_few_matches_is_one_statement_that_never_sends_the_matches_back(rich_corpus, monkeypatch):
    monkeypatch.setattr(search, "COMMON_ESTIMATE", 10**9)
    with CaptureQueriesContext(connection) as statements:
        assert _answer(FastClaimList, "/api/v1/claims/?q=claim")[0] == 200
    searching = [query["sql"] for query in statements.captured_queries if "claims_claim_search" in query["sql"]]
    assert len(searching) == 2, searching  # the planner's estimate, then the page
    assert searching[0].startswith("EXPLAIN") and searching[1].startswith("WITH matches")


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the planner's estimates")
@pytest.mark.parametrize(("query", "common"), [
    ("claim", True), ("claim sanctions", True), ('"six times"', False), ("S-300", False), ("Iran's", False),
])
def test_only_words_are_ever_surely_common(db, monkeypatch, query, common):
    # A phrase's estimate is that of its words anywhere: never trusted, whatever it says.
    monkeypatch.setattr(search, "COMMON_ESTIMATE", 0)
    with connection.cursor() as cursor:
        assert search.surely_common(cursor, query) is common


def test_fast_list_bytes_equal_in_another_time_zone(rich_corpus, reviewer, settings):
    settings.TIME_ZONE = "Asia/Tehran"
    timezone.activate("Asia/Tehran")
    try:
        path = "/api/v1/claims/"
        assert _bytes(FastClaimList, path, reviewer) == _bytes(SerializerClaimList, path, reviewer)
    finally:
        timezone.deactivate()


@pytest.mark.parametrize("path", ["/api/v1/claims/?verdict=supported", "/api/v1/claims/?status=published&confidence=moderate&page_size=3"])
def test_exact_choice_filters_are_answered_by_the_one_keyset_query(rich_corpus, reviewer, monkeypatch, path):
    """A verdict or a confidence is a condition of the default list's query: neither
    django-filter nor the general pagination runs (both would fail here)."""
    expected = _bytes(SerializerClaimList, path, reviewer)

    def general_path(*args, **kwargs):
        raise AssertionError("the general path ran")

    monkeypatch.setattr(ClaimViewSet, "filter_queryset", general_path)
    assert _bytes(FastClaimList, path, reviewer) == expected
    assert b'"results":[]' not in expected


def test_fast_list_escapes_line_separators_as_drf_does(rich_corpus, reviewer):
    content = _bytes(FastClaimList, "/api/v1/claims/", reviewer)
    assert b"\\u2028" in content and "\u2028".encode() not in content


def test_fast_list_query_count_does_not_grow_with_page_size(rich_corpus, reviewer, django_assert_max_num_queries):
    with django_assert_max_num_queries(4):
        _bytes(FastClaimList, "/api/v1/claims/?page_size=200", reviewer)


def test_datetimes_written_with_zero_microseconds_by_raw_sql_render_as_drf_does(rich_corpus, reviewer):
    # A bulk load may write "….000000"; DRF's isoformat leaves zero microseconds out.
    from django.db import connection

    claim = Claim.objects.order_by("id").last()
    value = connection.ops.adapt_datetimefield_value(timezone.now().replace(microsecond=0))
    if connection.vendor == "sqlite":
        value = f"{value}.000000"
    with connection.cursor() as cursor:
        cursor.execute("UPDATE claims_claim SET updated_at = %s WHERE id = %s", [value, claim.pk])
    path = "/api/v1/claims/"
    assert _bytes(FastClaimList, path, reviewer) == _bytes(SerializerClaimList, path, reviewer)


@given(st.lists(st.sampled_from(["a", "é", "è", "©", "\u2028", "\u2029", "\u2013", "\u201c", "ꨀ", "𝄨"]), max_size=60))
def test_line_separator_check_agrees_with_a_full_scan(pieces):
    # Few and many of the separators' last bytes (0xA8, 0xA9, also in "è", "é", "©", "ꨀ"...),
    # around the point where the check switches to one regular-expression pass.
    content = "".join(pieces).encode()
    assert fast_list._has_line_separator(content) == (b"\xe2\x80\xa8" in content or b"\xe2\x80\xa9" in content)
