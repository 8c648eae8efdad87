"""An object has one URL: its id in ASCII digits, without a sign, a leading zero or a space.
Any other spelling is a 404, on every detail route."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db

SPELLINGS = ["٩٥", "+{id}", "0{id}", "00{id}", "{id}%20", "%20{id}", "{id}.0", "-{id}", "１"]


def _arabic_indic(number: int) -> str:
    return "".join(chr(0x0660 + int(digit)) for digit in str(number))


@pytest.mark.parametrize(
    "route",
    [
        "claims/{}/", "claims/{}/reviews/", "claims/{}/history/", "claims/{}/relations/",
        "spans/{}/", "spans/{}/annotation/", "sources/{}/", "sources/{}/original/", "entities/{}/",
        "evidence/{}/",
    ],
)
def test_a_non_canonical_id_is_a_404_on_every_detail_route(client_for, superuser, corpus, route):
    client = client_for(superuser)
    ids = {
        "claims": corpus.published.pk, "spans": corpus.public_span.pk, "sources": corpus.source.pk,
        "evidence": corpus.published.evidence.get().pk,
    }
    kind = route.split("/")[0]
    if kind == "entities":
        ids["entities"] = client.post("/api/v1/entities/", {"name": "Russia", "kind": "country"}, format="json").json()["id"]
    number = ids[kind]
    canonical = client.get(f"/api/v1/{route.format(number)}")
    assert canonical.status_code in (200, 404), canonical.content  # sources/original: no original here
    for spelling in [_arabic_indic(number), *(form.format(id=number) for form in SPELLINGS)]:
        response = client.get(f"/api/v1/{route.format(spelling)}")
        assert response.status_code == 404, (spelling, response.status_code)
        assert response.json()["code"] == "not_found"


def test_zero_and_the_largest_id_are_canonical(client_for, superuser):
    assert client_for(superuser).get("/api/v1/claims/0/").json()["code"] == "not_found"
    assert client_for(superuser).get("/api/v1/claims/9223372036854775807/").status_code == 404


def test_the_schema_types_ids_as_integers(anonymous):
    schema = anonymous.get("/api/schema/?format=json").json()
    parameter = next(p for p in schema["paths"]["/api/v1/claims/{id}/"]["get"]["parameters"] if p["name"] == "id")
    assert parameter["schema"] == {"type": "integer", "minimum": 0}
