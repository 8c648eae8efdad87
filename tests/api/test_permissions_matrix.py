"""Every endpoint and method, for each kind of caller, against the expected status code.

Columns: anonymous, outsider (logged in, no role), analyst (the author of every claim in
the corpus), analyst2, reviewer (decided none of them), superuser. Each caller acts on
the same fresh corpus: its request runs inside a savepoint that is rolled back afterwards.
"""

from __future__ import annotations

import pytest
from django.db import transaction

from claims.models import Entity
from sources.models import Source

pytestmark = pytest.mark.django_db

CALLERS = ("anonymous", "outsider", "analyst", "analyst2", "reviewer", "superuser")
ALL_200 = (200,) * 6
READ_STAFF = (404, 404, 200, 200, 200, 200)
WRITE_ANY_ROLE = lambda code: (401, 403, code, code, code, code)  # noqa: E731
AUTHOR_OR_REVIEWER = lambda code: (401, 403, code, 403, code, code)  # noqa: E731
REVIEWERS = (401, 403, 403, 403, 200, 200)
# A method the endpoint does not have: 405 for anybody, before who asks is looked at.
NO_SUCH_METHOD = (405,) * 6

MATRIX = [
    # sources
    ("GET", "/api/v1/sources/", None, ALL_200),
    ("POST", "/api/v1/sources/", {"title": "New", "text": "Body."}, WRITE_ANY_ROLE(201)),
    ("GET", "/api/v1/sources/{source}/", None, ALL_200),
    # Cited by published claims: what they show changes only through reviewers.
    ("PATCH", "/api/v1/sources/{source}/", {"notes": "n"}, REVIEWERS),
    ("PATCH", "/api/v1/sources/{empty_source}/", {"notes": "n"}, WRITE_ANY_ROLE(200)),
    ("DELETE", "/api/v1/sources/{source}/", None, WRITE_ANY_ROLE(409)),
    ("DELETE", "/api/v1/sources/{empty_source}/", None, WRITE_ANY_ROLE(204)),
    ("PUT", "/api/v1/sources/{source}/", {"title": "t", "text": "x"}, NO_SUCH_METHOD),
    # spans
    ("GET", "/api/v1/spans/", None, ALL_200),
    ("POST", "/api/v1/spans/", {"source": "{source}", "quote": "Moscow"}, WRITE_ANY_ROLE(201)),
    ("GET", "/api/v1/spans/{public_span}/", None, ALL_200),
    ("GET", "/api/v1/spans/{draft_span}/", None, READ_STAFF),
    ("GET", "/api/v1/spans/{public_span}/annotation/", None, ALL_200),
    ("GET", "/api/v1/spans/{draft_span}/annotation/", None, READ_STAFF),
    ("DELETE", "/api/v1/spans/{public_span}/", None, WRITE_ANY_ROLE(409)),
    ("DELETE", "/api/v1/spans/{free_span}/", None, WRITE_ANY_ROLE(204)),
    ("PATCH", "/api/v1/spans/{free_span}/", {"start": 0}, NO_SUCH_METHOD),
    # entities
    ("GET", "/api/v1/entities/", None, ALL_200),
    ("POST", "/api/v1/entities/", {"name": "Iran"}, WRITE_ANY_ROLE(201)),
    ("GET", "/api/v1/entities/{entity}/", None, ALL_200),
    ("PATCH", "/api/v1/entities/{entity}/", {"aliases": ["RF"]}, WRITE_ANY_ROLE(200)),
    ("DELETE", "/api/v1/entities/{entity}/", None, NO_SUCH_METHOD),
    # claims
    ("GET", "/api/v1/claims/", None, ALL_200),
    ("POST", "/api/v1/claims/", {"text": "New.", "evidence": [{"span": "{public_span}"}]}, WRITE_ANY_ROLE(201)),
    ("GET", "/api/v1/claims/{draft}/", None, READ_STAFF),
    ("GET", "/api/v1/claims/{in_review}/", None, READ_STAFF),
    ("GET", "/api/v1/claims/{rejected}/", None, READ_STAFF),
    ("GET", "/api/v1/claims/{published}/", None, ALL_200),
    ("GET", "/api/v1/claims/{retracted}/", None, ALL_200),
    ("PATCH", "/api/v1/claims/{draft}/", {"notes": "n"}, AUTHOR_OR_REVIEWER(200)),
    ("PATCH", "/api/v1/claims/{published}/", {"notes": "n"}, AUTHOR_OR_REVIEWER(409)),
    ("PUT", "/api/v1/claims/{draft}/", {"text": "t"}, NO_SUCH_METHOD),
    ("DELETE", "/api/v1/claims/{draft}/", None, AUTHOR_OR_REVIEWER(204)),
    ("DELETE", "/api/v1/claims/{published}/", None, AUTHOR_OR_REVIEWER(409)),
    ("POST", "/api/v1/claims/{draft}/submit/", {}, AUTHOR_OR_REVIEWER(200)),
    ("POST", "/api/v1/claims/{published}/submit/", {}, AUTHOR_OR_REVIEWER(409)),
    ("POST", "/api/v1/claims/{in_review}/approve/", {}, REVIEWERS),
    ("POST", "/api/v1/claims/{in_review}/reject/", {"comment": "c"}, REVIEWERS),
    ("POST", "/api/v1/claims/{in_review}/request-changes/", {"comment": "c"}, REVIEWERS),
    ("POST", "/api/v1/claims/{draft}/approve/", {}, (401, 403, 403, 403, 409, 409)),
    ("POST", "/api/v1/claims/{published}/retract/", {"comment": "c"}, REVIEWERS),
    ("POST", "/api/v1/claims/{rejected}/reopen/", {"comment": "c"}, AUTHOR_OR_REVIEWER(200)),
    ("POST", "/api/v1/claims/{retracted}/reopen/", {"comment": "c"}, REVIEWERS),
    ("GET", "/api/v1/claims/{published}/reviews/", None, ALL_200),
    ("GET", "/api/v1/claims/{draft}/reviews/", None, READ_STAFF),
    ("GET", "/api/v1/claims/{published}/history/", None, ALL_200),
    ("GET", "/api/v1/claims/{draft}/history/", None, READ_STAFF),
    ("GET", "/api/v1/claims/{published}/claimreview/", None, ALL_200),
    ("GET", "/api/v1/claims/{draft}/claimreview/", None, (404,) * 6),
    ("GET", "/api/v1/claims/424242/", None, (404,) * 6),
    # evidence
    ("GET", "/api/v1/evidence/", None, ALL_200),
    ("GET", "/api/v1/evidence/{published_evidence}/", None, ALL_200),
    ("GET", "/api/v1/evidence/{draft_evidence}/", None, READ_STAFF),
    ("POST", "/api/v1/evidence/", {"claim": "{draft}", "span": "{free_span}"}, AUTHOR_OR_REVIEWER(201)),
    ("PATCH", "/api/v1/evidence/{draft_evidence}/", {"note": "n"}, AUTHOR_OR_REVIEWER(200)),
    ("PATCH", "/api/v1/evidence/{published_evidence}/", {"note": "n"}, AUTHOR_OR_REVIEWER(409)),
    ("DELETE", "/api/v1/evidence/{draft_evidence}/", None, AUTHOR_OR_REVIEWER(204)),
    ("DELETE", "/api/v1/evidence/{published_evidence}/", None, AUTHOR_OR_REVIEWER(409)),
    # moderation queue, schema and viewers
    ("GET", "/api/v1/review-queue/", None, REVIEWERS),
    ("GET", "/api/schema/", None, ALL_200),
    ("GET", "/api/docs/", None, ALL_200),
    ("GET", "/api/redoc/", None, ALL_200),
]


def _fill(value, ids: dict):
    if isinstance(value, str) and value.startswith("{") and value.endswith("}") and value[1:-1] in ids:
        return ids[value[1:-1]]
    if isinstance(value, str):
        return value.format(**ids)
    if isinstance(value, list):
        return [_fill(item, ids) for item in value]
    if isinstance(value, dict):
        return {key: _fill(item, ids) for key, item in value.items()}
    return value


@pytest.fixture
def callers(outsider, analyst, analyst2, reviewer, superuser):
    return {"anonymous": None, "outsider": outsider, "analyst": analyst, "analyst2": analyst2,
            "reviewer": reviewer, "superuser": superuser}


@pytest.fixture
def ids(corpus, analyst) -> dict:
    return {
        "source": corpus.source.pk,
        "empty_source": Source.objects.create(title="Empty", text="No spans.", created_by=analyst).pk,
        "public_span": corpus.public_span.pk,
        "draft_span": corpus.draft_span.pk,
        "free_span": corpus.free_span.pk,
        "entity": Entity.objects.create(name="Russia", slug="russia", kind="country").pk,
        "draft": corpus.draft.pk,
        "in_review": corpus.in_review.pk,
        "published": corpus.published.pk,
        "rejected": corpus.rejected.pk,
        "retracted": corpus.retracted.pk,
        "draft_evidence": corpus.draft.evidence.get().pk,
        "published_evidence": corpus.published.evidence.get().pk,
    }


@pytest.mark.parametrize(
    "method, path, body, expected", MATRIX, ids=[f"{method} {path}" for method, path, _, _ in MATRIX]
)
def test_permission_matrix(client_for, callers, ids, method, path, body, expected):
    url = _fill(path, ids)
    got = {}
    for name in CALLERS:
        with transaction.atomic():
            client = client_for(callers[name])
            kwargs = {"format": "json"} if body is not None else {}
            response = getattr(client, method.lower())(url, _fill(body, ids), **kwargs)
            got[name] = response.status_code
            if response.status_code >= 400 and path.startswith("/api/v1/"):
                assert set(response.json()) >= {"detail", "code"}, response.content
            transaction.set_rollback(True)
    assert got == dict(zip(CALLERS, expected))
