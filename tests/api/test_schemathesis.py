"""Property-based checks of the whole API against its own OpenAPI schema (schemathesis,
in-process through WSGI): whatever is sent, no server error, and every answer (status,
content type, headers, body) conforms to what the schema documents.

One test per operation, on a fresh corpus; a handful of positive and negative examples
each, so that the run stays within seconds. Every case is sent twice: as an anonymous
caller, and as a superuser with a token (so that writes get past authentication).

The cases come from ``APIOperation.as_strategy`` under Hypothesis' own ``@given``, rather
than schemathesis' pytest plugin, whose lazy loader does not run under pytest 9.
"""

from __future__ import annotations

import copy

import pytest
import schemathesis
from django.core.cache import cache
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from drf_spectacular.generators import SchemaGenerator
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rest_framework.authtoken.models import Token
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from project.wsgi import application

pytestmark = pytest.mark.django_db

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]
EXAMPLES_PER_OPERATION = 8
# Path ids are drawn from these, so that cases reach existing objects as well as missing ones.
IDS = [1, 2, 3, 4, 5, 6, 424242]


def _load_schema():
    raw = copy.deepcopy(SchemaGenerator().get_schema(request=None, public=True))
    for operations in raw["paths"].values():
        for operation in operations.values():
            for parameter in operation.get("parameters", []):
                if parameter["in"] == "path" and parameter["name"] == "id":
                    parameter["schema"] = {"type": "integer", "enum": IDS}
    schema = schemathesis.openapi.from_dict(raw)
    schema.app = application
    return schema


SCHEMA = _load_schema()
OPERATIONS = {result.ok().label: result.ok() for result in SCHEMA.get_all_operations()}


@pytest.fixture
def wsgi_keeps_the_test_connection():
    """Django closes the database connection when a request finishes; the test's connection
    holds its transaction, so it must outlive the requests (Django's test client does the
    same)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def unthrottled(settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"anon": "100000/minute", "user": "100000/minute"},
    }
    cache.clear()


def test_every_operation_is_covered():
    assert len(OPERATIONS) >= 35


@pytest.mark.parametrize("label", sorted(OPERATIONS))
def test_operation_conforms_to_the_schema(label, corpus, superuser, unthrottled, wsgi_keeps_the_test_connection):
    operation = OPERATIONS[label]
    token, _ = Token.objects.get_or_create(user=superuser)
    callers = ({}, {"Authorization": f"Token {token.key}"})
    cases = st.one_of(
        operation.as_strategy(generation_mode=GenerationMode.POSITIVE),
        operation.as_strategy(generation_mode=GenerationMode.NEGATIVE),
    )

    @given(case=cases)
    @settings(
        max_examples=EXAMPLES_PER_OPERATION,
        deadline=None,
        database=None,
        derandomize=True,
        suppress_health_check=list(HealthCheck),
    )
    def check(case):
        for headers in callers:
            response = case.call(headers=headers)
            case.validate_response(response, checks=CHECKS, headers=headers)

    check()
