"""The OpenAPI schema's answers that no view chooses: those of the layers every API request
passes through, documented once for every operation they apply to.

- 401: a token that is sent and not valid is refused whatever the operation, a public
  read included (DRF authenticates before it asks for permission).
- 429 ``throttled``, with ``Retry-After``: every throttled view (``DEFAULT_THROTTLE_CLASSES``).
- 406 ``not_acceptable``: an ``Accept`` header that asks for no type the operation answers
  with (JSON), on every operation.
- 411 ``length_required``: a request sent in chunks without a ``Content-Length``, whatever
  its method (``project.middleware``).
- 400 on every read: a query parameter the operation does not take, one given twice, or a
  ``format`` other than JSON (a list's filters are its own 400s).
- For an operation that takes a body: 413 ``request_too_large`` (over ``MAX_BODY_MB``) and
  415 (``unsupported_content_encoding``, or a media type its parsers do not read).

A view that documents one of these codes itself keeps its own description.
"""

from __future__ import annotations

from drf_spectacular import openapi
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.plumbing import build_bearer_security_scheme_object
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse
from rest_framework.authentication import TokenAuthentication

from project.api import ID_PATTERN, ErrorSerializer, RequestTooLargeSerializer, ValidationErrorSerializer

RETRY_AFTER_THROTTLED = OpenApiParameter(
    "Retry-After",
    int,
    OpenApiParameter.HEADER,
    response=[429],
    required=True,
    description="Seconds until the caller may send another request.",
)

INVALID_CREDENTIALS = OpenApiResponse(
    ErrorSerializer,
    "The token or session sent is not valid (`authentication_failed`), or the operation needs "
    "one (`not_authenticated`). Public reads need none: send a valid token, or no `Authorization`.",
)
THROTTLED = OpenApiResponse(
    ErrorSerializer,
    "`throttled`: too many requests from this caller (`THROTTLE_ANON` per address, "
    "`THROTTLE_USER` per user); try again after `Retry-After` seconds.",
)
LENGTH_REQUIRED = OpenApiResponse(
    ErrorSerializer,
    "`length_required`: the request was sent in chunks without a `Content-Length`; send it with its length.",
)
NOT_ACCEPTABLE = OpenApiResponse(
    ErrorSerializer,
    "`not_acceptable`: the `Accept` header asks for no type this operation answers with (JSON).",
)
BAD_QUERY = OpenApiResponse(
    ValidationErrorSerializer,
    "A query parameter this operation does not take, one given twice, or a `format` other than `json`.",
)
BODY_ERRORS = {
    413: OpenApiResponse(
        RequestTooLargeSerializer,
        "`request_too_large`: the body is over `MAX_BODY_MB` (`limit_bytes`); nothing of it was read.",
    ),
    415: OpenApiResponse(
        ErrorSerializer,
        "`unsupported_media_type`: the body's `Content-Type` is not one this operation reads; "
        "`unsupported_content_encoding`: the body was sent with a `Content-Encoding` (bodies are not decoded).",
    ),
}


class TokenSchemes(OpenApiAuthenticationExtension):
    """The API token's two schemes (``project.authentication``), each a security scheme of
    the schema, so that client generators may send either."""

    target_class = "project.authentication.TokenAuthentication"
    name = ["tokenAuth", "bearerAuth"]

    def get_security_definition(self, auto_schema):
        return [
            build_bearer_security_scheme_object(header_name="Authorization", token_prefix="Token"),
            {
                **build_bearer_security_scheme_object(header_name="Authorization", token_prefix="Bearer"),
                "description": "The same token as `tokenAuth`, sent as `Authorization: Bearer <token>`.",
            },
        ]


class AutoSchema(openapi.AutoSchema):
    def _takes_a_body(self) -> bool:
        return self.method in ("POST", "PUT", "PATCH")

    def _authenticates(self) -> bool:
        # A session that is not valid is no session (the caller is anonymous); a token is refused.
        return any(isinstance(authenticator, TokenAuthentication) for authenticator in self.view.get_authenticators())

    def _throttled(self) -> bool:
        return bool(self.view.get_throttles())

    def common_error_responses(self) -> dict[int, OpenApiResponse]:
        """The answers of the layers around this operation's view (the module's docstring)."""
        responses: dict[int, OpenApiResponse] = {406: NOT_ACCEPTABLE, 411: LENGTH_REQUIRED}
        if self.method == "GET":
            responses[400] = BAD_QUERY
        if self._authenticates():
            responses[401] = INVALID_CREDENTIALS
        if self._takes_a_body():
            responses.update(BODY_ERRORS)
        if self._throttled():
            responses[429] = THROTTLED
        return responses

    def get_auth(self):
        """The token's two schemes are alternatives (either one), not two credentials to send
        together, which is how drf-spectacular lists an extension's several schemes."""
        requirements = []
        for requirement in super().get_auth() or []:
            if set(TokenSchemes.name) <= set(requirement):
                requirements.extend({name: requirement[name]} for name in TokenSchemes.name)
            else:
                requirements.append(requirement)
        return requirements

    def _resolve_path_parameters(self, variables):
        """An id in a path (``project.urls.ApiRouter``) is an integer: drf-spectacular reads
        any pattern but DRF's default as a string's."""
        parameters = super()._resolve_path_parameters(variables)
        for parameter in parameters:
            if parameter["schema"].get("pattern") == f"^{ID_PATTERN}$":
                parameter["schema"] = {"type": "integer", "minimum": 0}
                parameter["description"] = "An id, in ASCII digits without a sign or a leading zero (others are 404s)."
        return parameters

    def get_override_parameters(self):
        parameters = super().get_override_parameters()
        return [*parameters, RETRY_AFTER_THROTTLED] if self._throttled() else parameters

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        for code, response in self.common_error_responses().items():
            if str(code) not in responses:
                responses[str(code)] = self._get_response_for_code(response, str(code), direction=direction)
        return responses
