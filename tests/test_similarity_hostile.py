"""Similar claims on hostile text: the canonical form of any number and the similarity of any
text never raise (claims/similarity.py), and a claim holding a number of hundreds of digits
breaks no lookup and no admin page that meets it."""

from __future__ import annotations

import decimal
import time

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from hypothesis import example, given, settings
from hypothesis import strategies as st
from rest_framework.test import APIClient

from claims.similarity import EntityMatcher, analyse, numbers_as_digits, score, shifted

MATCHER = EntityMatcher([(1, "Russia", ["Moscow"]), (2, "Iran", ["Tehran"]), (3, "United States", ["US"])])
SETTINGS = settings(max_examples=300, deadline=None)
HUGE = "1" + "0" * 300  # a float of it is infinity
LONGER_THAN_INT_PRINTS = "9" * 5000  # past Python's 4,300 digits of int() and str(int)

# ---------------------------------------------------------------------------------------------
# Texts made of what numbers are made of

DIGITS = st.text(alphabet="0123456789", min_size=1, max_size=40) | st.integers(1, 6000).map(lambda n: "7" * n)
NUMBER_PIECES = st.one_of(
    DIGITS,
    st.tuples(DIGITS, DIGITS).map(".".join),
    st.tuples(DIGITS, st.sampled_from(["e", "E", "e-", "e+"]), DIGITS).map("".join),
    st.lists(st.text(alphabet="0123456789", min_size=3, max_size=3), min_size=1, max_size=30).map(",".join),
    st.sampled_from(
        ["thousand", "million", "billion", "trillion", "bn", "m", "M", "Billion", "hundred", "four", "twenty",
         "point", "minus", "half", "a", "and", "$", "%", "٤", "½", "²", "𝟗", "-", ".", ",", "1e308", "1e-400"]
    ),
    st.text(max_size=5),
)
NUMBER_TEXTS = st.lists(
    st.tuples(NUMBER_PIECES, st.sampled_from(["", " ", "  ", "\n", "-", ","])).map("".join), max_size=12
).map("".join)


@SETTINGS
@given(st.one_of(st.text(), NUMBER_TEXTS), st.one_of(st.text(), NUMBER_TEXTS))
@example(f"{HUGE} billion", "The deficit reached 4 billion dollars")
@example(f"{LONGER_THAN_INT_PRINTS}.5 trillion", f"0.{'0' * 400}1 million")
@example("1e400 bn 1.7976931348623157e308 m", "nine hundred trillion trillion trillion")
def test_the_canonical_form_and_the_similarity_of_any_text_never_raise(first, second):
    first_form, second_form = analyse(first, MATCHER), analyse(second, MATCHER)
    assert isinstance(numbers_as_digits(first), str)
    assert 0 <= score(first_form, second_form) <= 1
    assert 0 <= score(second_form, first_form) <= 1


@SETTINGS
@given(
    st.text(alphabet="0123456789", min_size=1, max_size=60),
    st.text(alphabet="0123456789", max_size=60),
    st.sampled_from([0, 3, 6, 9, 12]),
)
def test_a_scaled_number_is_exact(whole, fraction, places):
    number = f"{whole}.{fraction}" if fraction else whole
    with decimal.localcontext(prec=500):
        expected = format(decimal.Decimal(number).scaleb(places), "f")
    assert shifted(number, places) == (expected.rstrip("0").rstrip(".") if "." in expected else expected)


@pytest.mark.parametrize(
    "text, digits",
    [
        ("lost $4 billion", "4000000000"),
        ("lost four billion dollars", "4000000000"),
        ("194,000 barrels", "194000"),
        ("2.5 million barrels", "2500000"),
        ("0.3 billion", "300000000"),
        ("007 thousand", "7000"),
        ("5m people", "5000000"),
        ("٤ billion", "4000000000"),
        ("4.07 bn", "4070000000"),  # a float made it 4070000000.0000005
        ("1.5 thousand", "1500"),
    ],
)
def test_ordinary_numbers_keep_their_canonical_form(text, digits):
    assert digits in analyse(text).numbers


@pytest.mark.parametrize("number, scale, zeros", [(HUGE, "billion", 309), (HUGE, "trillion", 312), ("1" + "0" * 4400, "m", 4406)])
def test_a_number_of_hundreds_or_thousands_of_digits_is_scaled_exactly(number, scale, zeros):
    assert numbers_as_digits(f"a {number} {scale} deficit") == f"a 1{'0' * zeros} deficit"


def test_a_long_run_of_digits_is_read_in_linear_time():
    # The scale words' pattern once retried a run from each of its digits: 4,000 digits took
    # a second, a claim's 20,000 about thirty.
    started = time.perf_counter()
    analyse("1" * 20_000 + " 2" * 5_000)
    assert time.perf_counter() - started < 3


# ---------------------------------------------------------------------------------------------
# Through the API and the admin

SIMILAR_URL = "/api/v1/claims/similar/"
HUGE_TEXT = f"The deficit reached {HUGE} billion dollars in 2014."


@pytest.fixture
def _no_throttle_counts():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def huge_draft(analyst, make_claim):
    return make_claim(analyst, text=HUGE_TEXT, quote="Russia voted six times")


def api_client(user=None) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


@pytest.mark.django_db
@pytest.mark.usefixtures("_no_throttle_counts")
def test_an_anonymous_lookup_of_a_huge_number_answers_200():
    response = api_client().get(SIMILAR_URL, {"text": f"{HUGE} billion"})
    assert response.status_code == 200
    assert response.json() == []


@pytest.mark.django_db
@pytest.mark.usefixtures("_no_throttle_counts")
def test_a_reviewer_whose_candidates_hold_a_huge_number_gets_them(reviewer, huge_draft):
    response = api_client(reviewer).get(SIMILAR_URL, {"text": "The deficit reached 4 billion dollars in 2014."})
    assert response.status_code == 200
    assert huge_draft.pk in [item["claim"]["id"] for item in response.json()]


@pytest.mark.django_db
def test_the_page_of_a_published_claim_shows_although_a_similar_draft_holds_a_huge_number(
    reviewer, reviewer2, analyst, make_claim, huge_draft
):
    published = make_claim(
        analyst, status="published", reviewer=reviewer2, text="The deficit reached 4 billion dollars in 2014."
    )
    client = Client()
    client.force_login(reviewer)
    response = client.get(reverse("admin:claims_claim_change", args=[published.pk]))
    assert response.status_code == 200
    assert f'data-claim-id="{huge_draft.pk}"' in response.content.decode()
