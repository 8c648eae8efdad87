"""``GET /api/v1/claims/similar/``: the lookup's input, visibility and ordering; the quality
of its results on the labelled set built from the demo corpus."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from claims.demo import load_corpus, load_demo
from claims.models import Claim, Entity
from claims.similar import LIKELY_DUPLICATE, IndexLookups, similar_claims
from claims.similar_quality import evaluate, load_labelled_set

pytestmark = pytest.mark.django_db

URL = "/api/v1/claims/similar/"


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"text": ""},
        {"text": "sanctions", "limit": 0},
        {"text": "sanctions", "limit": 51},
        {"text": "sanctions", "limit": "ten"},
        {"text": "sanctions", "limit": "1e3"},
        {"text": "x" * 1001},
        {"text": "sanctions", "exclude": "me"},
    ],
)
def test_bad_lookup_parameters_are_a_400(anonymous, params):
    response = anonymous.get(URL, params)
    assert response.status_code == 400
    assert response.json()["code"]


@pytest.mark.parametrize("text", ['"" OR * NEAR(', "-- ; DROP TABLE", "Ω 🙂 ½", "AND OR NOT", "s-300 $4bn 1e9 ,,,"])
def test_odd_text_is_looked_up_verbatim(client_for, analyst, corpus, text):
    response = client_for(analyst).get(URL, {"text": text})
    assert response.status_code == 200
    assert isinstance(response.json(), list)


@pytest.mark.parametrize("query", ["text=%00sanctions", "text=%ED%A0%80%20Russia", "text=%FF%FE", "text=a&text=b&limit=1&limit=x"])
def test_undecodable_text_answers_json_not_a_500(client_for, analyst, corpus, query):
    response = client_for(analyst).get(f"{URL}?{query}")
    assert response.status_code in (200, 400)
    assert response["Content-Type"].startswith("application/json")


def test_anonymous_finds_public_claims_only(client_for, anonymous, analyst, corpus):
    text = "Moscow said the sanctions went too far"
    staff_ids = {item["claim"]["id"] for item in client_for(analyst).get(URL, {"text": text}).json()}
    assert corpus.draft.pk in staff_ids
    anonymous_ids = {item["claim"]["id"] for item in anonymous.get(URL, {"text": text}).json()}
    assert corpus.draft.pk not in anonymous_ids
    statuses = set(Claim.objects.filter(pk__in=anonymous_ids).values_list("status", flat=True))
    assert statuses <= {"published", "retracted"}


def test_results_are_best_first_with_scores_in_0_1_and_a_claim_summary(client_for, analyst, corpus):
    results = client_for(analyst).get(URL, {"text": "Published claim about sanctions"}).json()
    assert results[0]["claim"]["id"] == corpus.published.pk
    assert set(results[0]["claim"]) == {"id", "text", "status", "verdict", "confidence"}
    scores = [item["score"] for item in results]
    assert scores == sorted(scores, reverse=True)
    assert all(0 <= score <= 1 for score in scores)


def test_limit_caps_the_results(client_for, analyst, corpus):
    assert len(client_for(analyst).get(URL, {"text": "claim", "limit": 2}).json()) <= 2


def test_exclude_leaves_out_the_claim_being_edited(client_for, analyst, corpus):
    results = client_for(analyst).get(URL, {"text": "Published claim about sanctions", "exclude": corpus.published.pk})
    assert corpus.published.pk not in [item["claim"]["id"] for item in results.json()]


def test_entity_aliases_and_titles_match(client_for, analyst, analyst2, make_claim):
    Entity.objects.create(name="Vladimir Putin", slug="vladimir-putin", kind="person", aliases=["Putin"])
    Entity.objects.create(name="Russia", slug="russia", kind="country", aliases=["Kremlin", "Moscow"])
    claim = make_claim(analyst, text="Russian President Vladimir Putin visited Tehran in October 2007.")
    make_claim(analyst2, text="Putin visited Beijing in 2007.")
    results = similar_claims("In October 2007 Putin travelled to Tehran", user=analyst)
    assert results[0].claim["id"] == claim.pk
    assert results[0].score >= LIKELY_DUPLICATE


def test_the_index_survey_says_what_the_separate_lookups_say(analyst, analyst2, make_claim):
    putin = Entity.objects.create(name="Vladimir Putin", slug="vladimir-putin", kind="person", aliases=["Putin"])
    first = make_claim(analyst, text="Putin visited Tehran in October 2007.")
    second = make_claim(analyst2, text="Putin visited Beijing in 2007.")
    first.entities.add(putin)
    lookups = IndexLookups()
    groups = [["visited"], ["tehran"], ["2007", "two thousand seven"], ["nowhere"]]
    total, found, tagged = lookups.survey(groups, [putin.pk])
    assert total == max(Claim.objects.values_list("id", flat=True)) == second.pk
    assert [sorted(ids) for ids in found] == [sorted(ids) for ids in lookups.groups(groups)]
    assert sorted(found[0]) == [first.pk, second.pk] and list(found[1]) == [first.pk] and not found[3]
    assert dict(tagged) == {putin.pk: [first.pk]} == {putin.pk: list(lookups.entity(putin.pk))}


@pytest.mark.skipif(connection.vendor != "postgresql", reason="one round trip matters where a statement costs one")
def test_on_postgresql_a_lookup_asks_the_index_for_every_word_and_entity_at_once(analyst, make_claim):
    Entity.objects.create(name="Vladimir Putin", slug="vladimir-putin", kind="person", aliases=["Putin"])
    Entity.objects.create(name="Iran", slug="iran", kind="country", aliases=["Tehran"])
    make_claim(analyst, text="Putin visited Tehran in October 2007.")
    with CaptureQueriesContext(connection) as statements:
        similar_claims("In October 2007 Putin travelled to Tehran", user=analyst)
    index_reads = [
        query["sql"] for query in statements.captured_queries
        if "claims_claim_search" in query["sql"] or "FROM claims_claim_entities" in query["sql"]
    ]
    assert len(index_reads) == 1, index_reads
    assert "max(id)" in index_reads[0] and "claims_claim_entities" in index_reads[0]


def test_a_different_number_is_not_a_likely_duplicate(analyst, make_claim):
    claim = make_claim(analyst, text="Russia voted six times for UN Security Council sanctions on Iran.")
    paraphrase = similar_claims("Moscow backed Security Council sanctions on Iran 6 times", user=analyst)
    assert paraphrase[0].claim["id"] == claim.pk and paraphrase[0].score >= LIKELY_DUPLICATE
    near_miss = similar_claims("Russia voted four times for UN Security Council sanctions on Iran", user=analyst)
    assert all(result.score < LIKELY_DUPLICATE for result in near_miss)


def test_a_negation_is_not_a_likely_duplicate(analyst, make_claim):
    make_claim(analyst, text="Iran is intervening in the Yemeni civil war.")
    results = similar_claims("Iran is not intervening in the Yemeni civil war.", user=analyst)
    assert all(result.score < LIKELY_DUPLICATE for result in results)


# ---------------------------------------------------------------------------------------------
# Quality on the labelled set (see claims/similar_quality.py and bench/similar_quality.py)


@pytest.fixture
def demo_claim_ids(db) -> dict[str, int]:
    load_demo(password="pw-demo")
    by_text = dict(Claim.objects.values_list("text", "id"))
    return {entry["key"]: by_text[entry["text"]] for entry in load_corpus()["claims"]}


def test_labelled_set_has_40_paraphrases_and_near_misses():
    labelled = load_labelled_set()
    assert len({item["claim"] for item in labelled["paraphrases"]}) >= 40
    assert len(labelled["near_misses"]) >= 20


def test_similar_claims_reach_recall_and_precision_targets_on_the_demo_corpus(demo_claim_ids):
    from django.contrib.auth.models import User

    admin = User.objects.get(username="admin")
    quality = evaluate(load_labelled_set(), demo_claim_ids, lambda text: similar_claims(text, user=admin, limit=10))
    print(quality.summary())
    assert quality.recall_at_5 >= 0.9, quality.misses
    assert quality.top_hit_precision >= 0.8, quality.misses
