"""Query strings say one thing: a parameter given twice is a 400 naming it (Django and DRF
would read the last and drop the others without a word, while links built from the query
keep them all), and an integer is written in ASCII digits ("١", "１" and "1_0" are not
numbers a consumer meant to send)."""

from __future__ import annotations

import pytest
from django.test import RequestFactory

from claims.admin.relations import record_duplicate_from_form
from project.errors import InvalidInput

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("path, query, name", [
    ("/api/v1/claims/", "status=draft&status=published", "status"),
    ("/api/v1/claims/", "verdict=supported&q=oil&verdict=refuted", "verdict"),
    ("/api/v1/claims/", "page_size=5&page_size=10", "page_size"),
    ("/api/v1/claims/", "cursor=a&cursor=b", "cursor"),
    ("/api/v1/sources/", "kind=report&kind=article", "kind"),
    ("/api/v1/evidence/", "claim=1&claim=2", "claim"),
    ("/api/v1/spans/", "source=1&source=2", "source"),
    ("/api/v1/entities/", "q=iran&q=russia", "q"),
    ("/api/v1/claims/similar/", "text=Russia+voted&text=Iran+voted", "text"),
    ("/api/v1/claims/similar/", "text=Russia+voted&limit=1&limit=5", "limit"),
])
def test_a_parameter_given_twice_is_a_400_naming_it(client_for, reviewer, path, query, name):
    response = client_for(reviewer).get(f"{path}?{query}")
    assert response.status_code == 400, response.content
    assert name in response.json()["errors"]
    assert "once" in response.json()["errors"][name][0]


@pytest.mark.parametrize("path, query, name", [
    ("/api/v1/claims/", "page_size=\u0661\u0660", "page_size"),
    ("/api/v1/claims/", "page_size=1_0", "page_size"),
    ("/api/v1/claims/", "page_size=%2B5", "page_size"),
    ("/api/v1/claims/", "source=\uff11", "source"),
    ("/api/v1/evidence/", "claim=\u0661", "claim"),
    ("/api/v1/spans/", "source=1_0", "source"),
    ("/api/v1/claims/similar/", "text=Russia+voted&limit=\u0665", "limit"),
    ("/api/v1/claims/similar/", "text=Russia+voted&exclude=\uff11", "exclude"),
])
def test_an_integer_in_other_digits_is_a_400_naming_it(client_for, reviewer, path, query, name):
    response = client_for(reviewer).get(f"{path}?{query}")
    assert response.status_code == 400, response.content
    assert name in response.json()["errors"]


@pytest.mark.parametrize("path, query", [
    ("/api/v1/claims/", "page_size=10&status=draft&source=1"),
    ("/api/v1/claims/", "page_size="),
    ("/api/v1/evidence/", "claim=1"),
    ("/api/v1/claims/similar/", "text=Russia+voted&limit=5&exclude=1"),
])
def test_each_parameter_once_in_ascii_digits_is_read(client_for, reviewer, path, query):
    assert client_for(reviewer).get(f"{path}?{query}").status_code == 200


@pytest.mark.parametrize("value", ["\u00b2", "\u0661", "1_0", "99999999999999999999"])
def test_an_original_picked_in_the_admin_that_is_no_id_is_refused_not_a_500(make_claim, analyst, value):
    request = RequestFactory().post("/", {"duplicate_of": value})
    request.user = analyst
    with pytest.raises(InvalidInput):
        record_duplicate_from_form(request, make_claim(analyst))


LISTS = ["/api/v1/claims/", "/api/v1/sources/", "/api/v1/spans/", "/api/v1/evidence/", "/api/v1/entities/",
         "/api/v1/changes/"]


@pytest.mark.parametrize("path", LISTS)
def test_a_parameter_no_filter_of_the_list_reads_is_a_400_naming_it(client_for, reviewer, corpus, path):
    """A misspelt filter would answer the whole list (drafts and all) to a consumer who
    believes it filtered."""
    client = client_for(reviewer)
    response = client.get(path, {"stauts": "published", "colour": "blue"})
    assert response.status_code == 400, (path, response.content[:300])
    assert {"stauts", "colour"} <= set(response.json()["errors"]), response.json()
    # The page's parameters, and a client's cache-buster, are not filters and are read.
    page = {"limit": "2"} if path.endswith("/changes/") else {"page_size": "2"}
    assert client.get(path, {**page, "_": "1733300000"}).status_code == 200, path


def test_the_similar_claims_lookup_names_a_parameter_it_does_not_read(client_for, reviewer, corpus):
    response = client_for(reviewer).get("/api/v1/claims/similar/", {"text": "Russia voted", "limt": "3"})
    assert response.status_code == 400 and "limt" in response.json()["errors"]


@pytest.mark.parametrize(
    "path, parameter, choices",
    [
        ("/api/v1/claims/", "ordering", "created_at, -created_at"),
        ("/api/v1/claims/", "status", "draft, in_review"),
        ("/api/v1/sources/", "reliability", "A, B"),
    ],
)
def test_a_value_not_among_a_filters_choices_is_answered_with_the_choices(client_for, reviewer, path, parameter, choices):
    response = client_for(reviewer).get(path, {parameter: "zzz"})
    assert response.status_code == 400
    (message,) = response.json()["errors"][parameter]
    assert message.startswith("'zzz' is not one of the choices: ") and choices in message


@pytest.mark.parametrize("path", LISTS)
def test_a_format_no_renderer_offers_is_a_400_naming_format_and_what_is_offered(client_for, reviewer, corpus, path):
    """DRF answers 404 "Not found.": the caller would believe the endpoint does not exist."""
    client = client_for(reviewer)
    response = client.get(path, {"format": "xml"})
    assert response.status_code == 400, (path, response.content[:300])
    assert response.json()["errors"] == {"format": ["No such format here; it offers: json."]}
    assert client.get(path, {"format": "json"}).status_code == 200, path


def test_an_export_names_each_format_it_offers(client_for, reviewer, corpus):
    claim = client_for(reviewer).get("/api/v1/claims/", {"status": "published"}).json()["results"][0]
    response = client_for(reviewer).get(f"/api/v1/claims/{claim['id']}/claimreview/", {"format": "xml"})
    assert response.json()["errors"] == {"format": ["No such format here; it offers: jsonld, json."]}
    assert client_for(reviewer).get(f"/api/v1/claims/{claim['id']}/claimreview/", {"format": "jsonld"}).status_code == 200
