"""Exports: ClaimReview JSON-LD, and spans as W3C Web Annotations checked against the W3C
test suite's schemas (the assertions of ``annotationMusts.test``)."""

from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path

import pytest
from jsonschema import Draft4Validator, FormatChecker
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT4

from claims.models import Entity
from sources.models import Span
from tests.support import SAMPLE_TEXT, needs_reference, require_reference

pytestmark = pytest.mark.django_db

SCHEMAS_FOLDER = "w3c-annotation-schemas"


def w3c_schemas() -> Path:
    """The W3C suite's folder; skips the calling test, saying why, when it is absent."""
    return require_reference(SCHEMAS_FOLDER)


# python-jsonschema checks "uri" and "date-time" only with optional packages; these two
# formats decide several W3C assertions, so they are checked here, to RFC 3986 / RFC 3339.
FORMATS = FormatChecker(formats=())
_URI = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:[^\s]*$")
_DATE_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$")


@FORMATS.checks("uri")
def _is_uri(value) -> bool:
    return not isinstance(value, str) or bool(_URI.match(value))


@FORMATS.checks("date-time")
def _is_date_time(value) -> bool:
    return not isinstance(value, str) or bool(_DATE_TIME.match(value))


@cache
def _registry() -> Registry:
    resources = []
    for path in sorted(w3c_schemas().glob("**/*.json")):
        if "tools" in path.parts:
            continue
        contents = json.loads(path.read_text())
        resource = Resource.from_contents(contents, default_specification=DRAFT4)
        resources.append((contents.get("id", path.name), resource))
    return Registry().with_resources(resources)


@cache
def _must_validators() -> list[tuple[str, dict, Draft4Validator]]:
    suite = json.loads((w3c_schemas() / "annotations" / "annotationMusts.test").read_text())
    validators = []
    for name in suite["assertions"]:
        schema = json.loads((w3c_schemas() / name).read_text())
        validators.append((name, schema, Draft4Validator(schema, registry=_registry(), format_checker=FORMATS)))
    return validators


def w3c_failures(annotation: dict) -> list[str]:
    """The MUST assertions that ``annotation`` fails (an empty list: it conforms).

    Skips the calling test, after whatever it checked before, when the W3C schemas are absent."""
    w3c_schemas()
    failures = []
    for name, schema, validator in _must_validators():
        if validator.is_valid(annotation) != (schema.get("expectedResult", "valid") == "valid"):
            failures.append(f"{name}: {schema.get('errorMessage', '')}")
    return failures


def _correct_samples() -> list[dict]:
    """The W3C suite's correct sample annotations, less those that use the Composite, List
    and Independents targets (dropped from the final model, so its schemas reject them) and
    the collection pages, which are not annotations."""
    samples = []
    for path in sorted((w3c_schemas() / "tools" / "samples" / "correct").glob("*.json")):
        sample = json.loads(path.read_text())
        text = path.read_text()
        dropped = any(f'"{kind}"' in text for kind in ("Composite", "List", "Independents"))
        if sample.get("type") == "Annotation" and not dropped:
            samples.append(sample)
    return samples


@needs_reference(SCHEMAS_FOLDER)
def test_the_schema_harness_accepts_correct_samples_and_catches_broken_ones():
    samples = _correct_samples()
    assert len(samples) >= 30
    for sample in samples:
        assert w3c_failures(sample) == [], sample["id"]
    quote_selector = {
        "@context": "http://www.w3.org/ns/anno.jsonld",
        "id": "http://example.org/anno",
        "type": "Annotation",
        "target": {
            "source": "http://example.org/page1",
            "selector": {"type": "TextQuoteSelector", "exact": "anotation"},
        },
    }
    assert w3c_failures(quote_selector) == []
    for breakage in (
        lambda a: a.pop("@context"),
        lambda a: a.pop("target"),
        lambda a: a.update(type="Note"),
        lambda a: a["target"]["selector"].pop("exact"),
        lambda a: a.update(body="http://example.org/b", bodyValue="both"),
        lambda a: a.update(created="yesterday"),
    ):
        broken = json.loads(json.dumps(quote_selector))
        breakage(broken)
        assert w3c_failures(broken), broken


@needs_reference(SCHEMAS_FOLDER)
def test_span_annotation_conforms_to_the_w3c_model(anonymous, corpus):
    response = anonymous.get(f"/api/v1/spans/{corpus.public_span.pk}/annotation/")
    assert w3c_failures(response.json()) == []


def test_span_annotation_is_json_ld_with_quote_and_position_selectors(anonymous, corpus):
    span = corpus.public_span
    response = anonymous.get(f"/api/v1/spans/{span.pk}/annotation/")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/ld+json")
    annotation = response.json()
    assert annotation["@context"] == "http://www.w3.org/ns/anno.jsonld"
    assert annotation["id"] == f"http://testserver/api/v1/spans/{span.pk}/annotation/"
    target = annotation["target"]
    assert target["source"]["id"] == f"http://testserver/api/v1/sources/{corpus.source.pk}/"
    quote, position = target["selector"]
    assert quote == {"type": "TextQuoteSelector", "exact": span.quote, "prefix": span.prefix, "suffix": span.suffix}
    assert position == {"type": "TextPositionSelector", "start": span.start, "end": span.end}
    assert SAMPLE_TEXT[position["start"] : position["end"]] == quote["exact"]


def test_annotation_target_is_the_source_url_when_it_has_one(client_for, analyst, corpus):
    corpus.source.url = "https://example.org/article"
    corpus.source.save()
    annotation = client_for(analyst).get(f"/api/v1/spans/{corpus.draft_span.pk}/annotation/").json()
    assert annotation["target"]["source"]["id"] == "https://example.org/article"
    assert w3c_failures(annotation) == []


def test_orphaned_span_carries_only_the_quote_selector(client_for, analyst, corpus):
    Span.objects.filter(pk=corpus.free_span.pk).update(anchor_state="orphaned")
    annotation = client_for(analyst).get(f"/api/v1/spans/{corpus.free_span.pk}/annotation/").json()
    assert [selector["type"] for selector in annotation["target"]["selector"]] == ["TextQuoteSelector"]
    assert w3c_failures(annotation) == []


def test_claimreview_has_googles_required_fields(anonymous, corpus):
    claim = corpus.published
    claim.entities.add(Entity.objects.create(name="Russia", slug="russia", kind="country", wikidata_id="Q159"))
    source = corpus.source
    source.url, source.published_on = "https://example.org/article", "2010-06-09"
    source.save()
    response = anonymous.get(f"/api/v1/claims/{claim.pk}/claimreview/")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/ld+json")
    review = response.json()
    assert review["@context"] == "https://schema.org" and review["@type"] == "ClaimReview"
    assert review["claimReviewed"] == claim.text
    assert review["url"] == f"http://testserver/api/v1/claims/{claim.pk}/"
    assert review["reviewRating"] == {
        "@type": "Rating",
        "alternateName": "Supported",
        "ratingValue": 5,
        "bestRating": 5,
        "worstRating": 1,
    }
    assert review["datePublished"] == claim.published_at.date().isoformat()
    item = review["itemReviewed"]
    assert item["@type"] == "Claim"
    assert item["appearance"] == [
        {
            "@type": "CreativeWork",
            "headline": "Sample",
            "url": "https://example.org/article",
            "publisher": {"@type": "Organization", "name": "Example"},
            "datePublished": "2010-06-09",
        }
    ]
    assert item["about"] == [{"@type": "Thing", "name": "Russia", "sameAs": "https://www.wikidata.org/wiki/Q159"}]


def test_only_published_claims_have_a_claimreview(client_for, analyst, corpus):
    for claim in (corpus.draft, corpus.retracted):
        response = client_for(analyst).get(f"/api/v1/claims/{claim.pk}/claimreview/")
        assert response.status_code == 404
        assert response.json()["code"] == "not_published"


@needs_reference(SCHEMAS_FOLDER)
def test_the_w3c_schemas_are_where_the_reference_data_is():
    assert (w3c_schemas() / "definitions" / "annotations.json").exists()
