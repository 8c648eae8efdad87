"""What every API view shares: the error mapping, the parser, permissions, ETags.

This module must not import ``rest_framework.views`` at import time: DRF imports the
parser classes named in the settings while it defines ``APIView``.

Domain errors (``project.errors``) are raised by the services and turned into HTTP answers
here, in one place: a view never chooses a status code for a rule it did not write.

Every error body has the same envelope::

    {"detail": "<for people>", "code": "<stable name>", ...}

400 answers add ``errors`` (per-field messages, nested like the request) and, for anchoring
failures, ``candidates``; 409 answers name the conflict in ``code``.
"""

from __future__ import annotations

import codecs
import io
import json
import re
import uuid
from collections.abc import Iterator, Mapping
from typing import Any

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError
from django.db.models import ProtectedError
from django.http import Http404, HttpResponseBase, JsonResponse, StreamingHttpResponse
from django.urls import reverse
from django.utils.http import parse_etags
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse
from rest_framework import exceptions, permissions, serializers, status
from rest_framework.metadata import BaseMetadata
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.parsers import JSONParser
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.utils.json import strict_constant

from project.errors import DomainError, StaleVersion
from project.validation import RepeatedKey, ascii_integer, object_without_repeats, repeated_fields

# ---------------------------------------------------------------------------------------------
# Errors


def _first_message(errors: Any, path: str = "") -> tuple[str, str]:
    """The first message in a nested DRF error structure, with where it sits
    (``evidence[1].span``), so that the summary alone says which item failed."""
    if isinstance(errors, dict):
        items = errors.items()
    elif isinstance(errors, list):
        if not any(isinstance(value, (dict, list)) for value in errors):
            messages = [str(value) for value in errors if value]
            return path, messages[0] if messages else ""
        items = enumerate(errors)
    else:
        return path, str(errors) if errors else ""
    for key, value in items:
        if key in ("non_field_errors", "__all__"):
            label = path
        elif isinstance(key, int) or str(key).isdigit():
            label = f"{path}[{key}]"
        else:
            label = f"{path}.{key}" if path else str(key)
        found = _first_message(value, label)
        if found[1]:
            return found
    return path, ""


def validation_body(errors: Any) -> dict:
    """The 400 envelope for per-field messages."""
    if not isinstance(errors, dict):
        errors = {"non_field_errors": errors if isinstance(errors, list) else [errors]}
    where, message = _first_message(errors)
    detail = f"{where}: {message}" if where else (message or "Invalid input.")
    return {"detail": detail, "code": "invalid", "errors": errors}


def exception_handler(exc: Exception, context: dict) -> Response | None:
    """Map every expected exception to a JSON answer; anything else stays a bug (500)."""
    # Imported here: rest_framework.views imports this module's parser and throttles (through
    # the settings) while it is being defined.
    from rest_framework.views import exception_handler as drf_exception_handler
    from rest_framework.views import set_rollback

    if isinstance(exc, DomainError):
        body = exc.as_dict()
        if exc.status_code == 400 and "errors" not in body:
            # Every 400 has per-field messages; a rule that names no field has them here.
            body["errors"] = {"non_field_errors": [exc.message]}
        set_rollback()
        headers = {"Retry-After": str(exc.retry_after)} if getattr(exc, "retry_after", None) else None
        return Response(body, status=exc.status_code, headers=headers)
    if isinstance(exc, ProtectedError):
        set_rollback()
        return Response(
            {"detail": "Other records depend on this one.", "code": "protected"},
            status=status.HTTP_409_CONFLICT,
        )
    if isinstance(exc, IntegrityError):
        # Validation runs first; this is a concurrent writer winning the race.
        set_rollback()
        return Response(
            {"detail": "The change conflicts with the current data; reload and retry.", "code": "conflict"},
            status=status.HTTP_409_CONFLICT,
        )
    if isinstance(exc, DjangoValidationError):
        errors = exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        exc = exceptions.ValidationError(errors)
    elif isinstance(exc, (Http404, ObjectDoesNotExist)):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()

    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        response.data = validation_body(response.data)
    elif isinstance(exc, exceptions.APIException):
        codes = exc.get_codes()
        response.data = {"detail": str(exc.detail), "code": codes if isinstance(codes, str) else exc.default_code}
    return response


def json_not_found(request, exception=None) -> JsonResponse:
    """404 for URLs that match no route, in the API's envelope."""
    return JsonResponse({"detail": "No API endpoint at this address.", "code": "not_found"}, status=404)


def json_server_error(request) -> JsonResponse:
    return JsonResponse({"detail": "Server error.", "code": "server_error"}, status=500)


class ErrorSerializer(serializers.Serializer):
    """The error envelope (401, 403, 404, 409, 412...)."""

    detail = serializers.CharField(help_text="What went wrong, for people.")
    code = serializers.CharField(help_text="A stable, machine-readable name for the error.")


class CandidateSerializer(serializers.Serializer):
    start = serializers.IntegerField()
    end = serializers.IntegerField()


class ValidationErrorSerializer(ErrorSerializer):
    """400: per-field messages in ``errors`` (nested like the request), with ``code`` the
    rule that refused them (``invalid`` for a field's own validation)."""

    errors = serializers.DictField(
        child=serializers.JSONField(),
        required=False,
        help_text="Per-field messages, nested like the request: {\"evidence\": [{}, {\"span\": [...]}]}. "
        "A domain rule names the fields it refused too (`quote` for `ambiguous_quote`, `start` and `end` for "
        "`offsets_out_of_range`, `supersedes` for `supersedes_self`); `non_field_errors` holds what is no one field's.",
    )
    candidates = CandidateSerializer(
        many=True, required=False, help_text="Every place an ambiguous quote occurs."
    )
    evidence_index = serializers.IntegerField(
        required=False, help_text="Which inline evidence item failed (0-based)."
    )
    checks = serializers.ListField(
        child=serializers.DictField(child=serializers.JSONField()),
        required=False,
        help_text="`comment_required`: the editorial checks' warnings that approving without a comment would pass over.",
    )


class RequestTooLargeSerializer(ErrorSerializer):
    """413 ``request_too_large`` (``project.middleware``)."""

    limit_bytes = serializers.IntegerField(help_text="The largest body accepted, in bytes (`MAX_BODY_MB`).")


class ConflictSerializer(ErrorSerializer):
    status = serializers.CharField(required=False, help_text="`invalid_transition`: the claim's current status.")
    missing = serializers.ListField(
        child=serializers.CharField(), required=False,
        help_text="A refused submission or approval: the code of each thing the claim lacks.",
    )
    superseded_by = serializers.IntegerField(required=False, help_text="`superseded`: the published correction's id.")
    relation = serializers.IntegerField(required=False, help_text="`relation_exists`: the existing relation's id.")
    evidence = serializers.IntegerField(required=False, help_text="`duplicate_evidence`: the existing evidence row's id.")
    evidence_index = serializers.IntegerField(
        required=False, help_text="Which inline evidence item of a claim's creation or change conflicts (0-based)."
    )


class PreconditionFailedSerializer(ErrorSerializer):
    current_version = serializers.IntegerField(required=False, help_text="A claim's current version.")
    current_revision = serializers.CharField(
        required=False, help_text="A source's or an entity's current revision (the last part of its ETag)."
    )


# ---------------------------------------------------------------------------------------------
# Writes: one behaviour for every serializer that reads a request body


def json_kind(value: Any) -> str:
    """What a value of a request body is, in JSON's words ("null", "a number"), not
    Python's ("a NoneType", "a int")."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true or false"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, Mapping):
        return "an object"
    return "a value of another kind"


def _not_a_string(field: serializers.Field, value: Any) -> str | None:
    """The message for a value that a text field (or a list of them) must refuse: DRF would
    store ``0`` as "0" and ``1e999`` as "inf"."""
    if isinstance(field, serializers.CharField):
        if isinstance(value, str) or (value is None and field.allow_null):
            return None
        return f"Not a valid string: {json_kind(value)} was given."
    if isinstance(field, serializers.ListField) and isinstance(value, list):
        for index, item in enumerate(value):
            message = _not_a_string(field.child, item)
            if message:
                return f"Item {index}: {message}"
    return None


class StrictWrites:
    """Mixin of every serializer that reads a request body (``WriteSerializer`` and the
    model serializers used for writes): text fields take strings only, and a key that is
    not a writable field (unknown, or read-only such as ``status``) is a 400 that names it,
    instead of being dropped while the write answers 200."""

    def to_internal_value(self, data):
        if isinstance(data, Mapping):
            writable = {name: field for name, field in self.fields.items() if not field.read_only}
            errors = {
                str(key): [
                    "This field cannot be written here (it is unknown or read-only); "
                    f"writable fields: {', '.join(sorted(writable)) or 'none'}."
                ]
                for key in data
                if key not in writable
            }
            for name, field in writable.items():
                if name in data:
                    message = _not_a_string(field, data[name])
                    if message:
                        errors[name] = [message]
            if errors:
                raise exceptions.ValidationError(errors)
        return super().to_internal_value(data)


class WriteSerializer(StrictWrites, serializers.Serializer):
    """The base of request-body serializers."""


# ---------------------------------------------------------------------------------------------
# Parsing (throttles: project.throttling)


# Deeper than any request of this API; deep enough to refuse before Python's recursion
# limit is reached anywhere (the decoder, the serializers, the error renderer).
MAX_JSON_DEPTH = 64


def json_depth_exceeds(data: Any, limit: int = MAX_JSON_DEPTH) -> bool:
    """Whether ``data`` nests deeper than ``limit`` (iteratively: no recursion to exhaust)."""
    pending = [(data, 1)]
    while pending:
        value, depth = pending.pop()
        if isinstance(value, dict):
            value = value.values()
        elif not isinstance(value, list):
            continue
        if depth > limit:
            return True
        pending.extend((item, depth + 1) for item in value if isinstance(item, (dict, list)))
    return False


class StrictJSONParser(JSONParser):
    """JSON that the database can store, in a shape the serializers can walk: lone
    surrogates ("\\ud800") are valid JSON but not valid Unicode, and would fail deep inside
    the driver; nesting thousands deep exhausts Python's recursion limit. Each is a 400,
    not a 500. (NUL in text is refused by every ``CharField``.) A key given twice in one
    object is a 400 too: JSON parsers keep the last value, and the first would be lost
    without a word."""

    def parse(self, stream, media_type=None, parser_context=None):
        # As JSONParser.parse, with each object built by ``object_without_repeats``.
        encoding = (parser_context or {}).get("encoding", settings.DEFAULT_CHARSET)
        try:
            data = json.load(
                codecs.getreader(encoding)(stream),
                parse_constant=strict_constant,
                object_pairs_hook=object_without_repeats,
            )
        except RepeatedKey as repeated:
            raise exceptions.ParseError(
                f"The JSON gives the key {repeated.key!r} twice in one object: give each field once."
            ) from repeated
        except RecursionError as error:
            raise exceptions.ParseError(f"The JSON nests deeper than {MAX_JSON_DEPTH} levels.") from error
        except ValueError as error:
            raise exceptions.ParseError(f"JSON parse error - {error}") from error
        if json_depth_exceeds(data):
            raise exceptions.ParseError(f"The JSON nests deeper than {MAX_JSON_DEPTH} levels.")
        try:
            json.dumps(data, ensure_ascii=False).encode("utf-8")
        except UnicodeEncodeError as error:
            raise exceptions.ParseError("The JSON contains invalid Unicode (a lone surrogate).") from error
        return data


class JSONLDRenderer(JSONRenderer):
    """JSON-LD exports (ClaimReview, Web Annotation): JSON with its own media type."""

    media_type = "application/ld+json"
    format = "jsonld"


# ---------------------------------------------------------------------------------------------
# Query strings: each parameter once, integers in ASCII digits


class QueryInteger(serializers.IntegerField):
    """An integer in a query string, written in ASCII digits (``ascii_integer``): DRF's
    ``IntegerField`` reads "١", "１", "1_000", " 7 " and "7.0" as numbers too. A minus sign
    is read, so that "-1" is refused by the bound it breaks."""

    def to_internal_value(self, data):
        if ascii_integer(data) is None:
            self.fail("invalid")
        return super().to_internal_value(data)


def refuse_repeated_parameters(query_params, names, hints: Mapping[str, str] | None = None) -> None:
    """A 400 naming each of ``names`` given more than once in the query string
    (``project.validation.repeated_fields``): Django and DRF read the last of ``?a=1&a=2``
    and drop the others without a word, while links built from the query keep them all."""
    repeated = repeated_fields([query_params], names)
    if repeated:
        hints = hints or {}
        raise exceptions.ValidationError({name: [message + hints.get(name, "")] for name, message in repeated.items()})


# Read wherever a query is: DRF's choice of renderer, and the cache-buster some HTTP
# clients add.
ALWAYS_ACCEPTED = frozenset({"format", "_"})


def refuse_unknown_parameters(query_params, accepted, message: str) -> None:
    """A 400 naming each parameter of the query that is not ``accepted``: a misspelt one
    (``?stauts=published``) would otherwise be answered as if it were not there, the whole
    list, drafts and all, to a caller who believes it filtered. ``message`` names what is
    accepted in place of its ``{}``."""
    unknown = sorted(name for name in query_params if name not in accepted and name not in ALWAYS_ACCEPTED)
    if unknown:
        listed = ", ".join(sorted(accepted)) or "none"
        raise exceptions.ValidationError({name: [message.format(listed)] for name in unknown})


def refuse_empty_parameters(query_params, names) -> None:
    """A 400 naming each of ``names`` given with no value (``?after=``): DRF reads it as
    absent and answers with its default, so a consumer whose stored cursor is empty would
    read the whole feed again without a word."""
    empty = [name for name in names if name in query_params and not query_params[name].strip()]
    if empty:
        raise exceptions.ValidationError(
            {name: ["Given empty: give it a value, or leave the parameter out."] for name in empty}
        )


class SingleValuedQuery(serializers.Serializer):
    """Query parameters each given at most once (``refuse_repeated_parameters``), none but
    its own, none empty;
    ``repeat_hints`` adds to the message for a parameter (how to ask for several)."""

    repeat_hints: dict[str, str] = {}

    def to_internal_value(self, data):
        if hasattr(data, "getlist"):
            refuse_repeated_parameters(data, self.fields, self.repeat_hints)
            refuse_unknown_parameters(data, self.fields, "No such parameter here; it accepts: {}.")
            refuse_empty_parameters(data, self.fields)
        return super().to_internal_value(data)


# ---------------------------------------------------------------------------------------------
# Rendering


class ContentNegotiation(DefaultContentNegotiation):
    """DRF's negotiation, except that a ``?format=`` no renderer of the view offers is a
    400 naming ``format`` and what it offers, like any other bad parameter: DRF answers
    404, as if the endpoint did not exist."""

    def filter_renderers(self, renderers, format):
        kept = [renderer for renderer in renderers if renderer.format == format]
        if not kept:
            offered = ", ".join(dict.fromkeys(renderer.format for renderer in renderers))
            raise exceptions.ValidationError(
                {api_settings.URL_FORMAT_OVERRIDE or "format": [f"No such format here; it offers: {offered}."]}
            )
        return kept


class LongTextJSONRenderer(JSONRenderer):
    """DRF's JSON, byte for byte, for answers that carry a long string (a source's text).

    ``json.dumps`` escapes a string into a copy and joins the pieces into another, and
    ``str.encode`` makes the body from that: rendering a 50 MB text held 100 MB besides
    it. Here the answer is rendered with a short token in place of each long string, and
    the string is escaped and encoded into the body a slice at a time: the text and the
    body are all that is held. Only the top level of an object is looked at (where a
    source's text is).

    A value may also be a text kept out of memory: an object whose ``pieces()`` yields
    it a slice at a time (``sources.ingest.SpooledText``). ``stream`` renders an answer as
    the chunks of its body; ``long_text_response`` sends an answer holding such a text
    that way, so that neither the text nor the body is ever held whole.
    """

    LONG = 1 << 20  # code points
    SLICE = 1 << 20

    def _long_keys(self, data) -> list:
        if not isinstance(data, Mapping):
            return []
        return [
            key for key, value in data.items()
            if (isinstance(value, str) and len(value) >= self.LONG) or callable(getattr(value, "pieces", None))
        ]

    def holds_text_kept_out_of_memory(self, data) -> bool:
        return any(not isinstance(data[key], str) for key in self._long_keys(data))

    def stream(self, data, accepted_media_type=None, renderer_context=None) -> Iterator[bytes]:
        """The rendered answer, as the chunks of its body."""
        long = self._long_keys(data)
        if not long:
            yield super().render(data, accepted_media_type, renderer_context)
            return
        tokens = {key: f"long-{uuid.uuid4().hex}" for key in long}
        skeleton = super().render({**data, **tokens}, accepted_media_type, renderer_context)
        position = 0
        places = sorted((skeleton.index(b'"%s"' % token.encode()), key) for key, token in tokens.items())
        for place, key in places:
            yield skeleton[position:place] + b'"'
            value = data[key]
            if isinstance(value, str):
                slices = (value[start : start + self.SLICE] for start in range(0, len(value), self.SLICE))
            else:
                slices = value.pieces()
            for piece in slices:
                yield self._escaped(piece)
            yield b'"'
            position = place + len(tokens[key]) + 2
        yield skeleton[position:]

    def render(self, data, accepted_media_type=None, renderer_context=None):
        if not self._long_keys(data):
            return super().render(data, accepted_media_type, renderer_context)
        body = io.BytesIO()
        for chunk in self.stream(data, accepted_media_type, renderer_context):
            body.write(chunk)
        # Shares its buffer with the BytesIO (no copy: nothing else holds a view of it).
        return body.getvalue()

    def _escaped(self, piece: str) -> bytes:
        """``piece`` as the inside of a JSON string, as ``render`` writes it (a string
        escapes code point by code point, so its slices can be escaped one by one)."""
        quoted = json.dumps(piece, ensure_ascii=self.ensure_ascii)[1:-1]
        return quoted.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029").encode()


def long_text_response(request, data, *, status: int = 200) -> HttpResponseBase:
    """``Response(data, status=status)``; but an answer that holds a text kept out of
    memory (see ``LongTextJSONRenderer``) is streamed as it is rendered, when the
    request's renderer can (else the renderer holds the body, as for any answer)."""
    renderer = getattr(request, "accepted_renderer", None)
    if not isinstance(renderer, LongTextJSONRenderer) or not renderer.holds_text_kept_out_of_memory(data):
        return Response(data, status=status)
    return StreamingHttpResponse(
        renderer.stream(data, request.accepted_media_type, {"request": request}),
        status=status,
        content_type=renderer.media_type,
    )


# ---------------------------------------------------------------------------------------------
# OPTIONS


class SchemaMetadata(BaseMetadata):
    """What ``OPTIONS`` answers: the endpoint's name and description, the media types it
    reads and writes, and where its contract is, the OpenAPI schema (``schema``); its
    methods are in the ``Allow`` header. No per-field ``actions``: DRF builds them from one
    serializer per view, and here a view reads with one serializer and writes with another
    (``claim_create`` takes inline evidence, a span is made by offsets or by quote, a
    relation is posted to its claim): they listed read-only fields as required, a claim's
    fields for its relations, no field at all for a source. The schema is generated from
    what each operation reads and answers, so it stays true as they change."""

    def determine_metadata(self, request, view):
        return {
            "name": view.get_view_name(),
            "description": view.get_view_description(),
            "renders": [renderer.media_type for renderer in view.renderer_classes],
            "parses": [parser.media_type for parser in view.parser_classes],
            "schema": request.build_absolute_uri(reverse("schema")),
        }


# ---------------------------------------------------------------------------------------------
# Permissions


def answers_method(request, view) -> bool:
    """Whether ``view`` has a handler for the request's method. One it has none for is a
    405 whoever asks, so permissions let it through to that answer: an anonymous PUT or
    PROPFIND was a 401, as if logging in would make it work."""
    return request.method in view.allowed_methods


class ModelPermissionsOrReadOnly(permissions.DjangoModelPermissionsOrAnonReadOnly):
    """Reads are open (each view narrows what a caller sees); writes need the model's Django
    permission, which the roles' groups grant (see ``claims/migrations/0002_roles.py``).
    Anonymous writers get 401, logged-in users without the permission 403."""

    perms_map = {
        **permissions.DjangoModelPermissions.perms_map,
        "GET": [],
        "HEAD": [],
        "OPTIONS": [],
    }

    def has_permission(self, request, view):
        if request.method in permissions.SAFE_METHODS or not answers_method(request, view):
            return True
        if not (request.user and request.user.is_authenticated):
            raise exceptions.NotAuthenticated()
        return super().has_permission(request, view)


def sees_everything(user, app_label: str, model: str) -> bool:
    """Staff (the roles, superusers) see every row; anybody else sees what is public."""
    return bool(user and user.is_authenticated and user.is_active and user.has_perm(f"{app_label}.view_{model}"))


# ---------------------------------------------------------------------------------------------
# ETags: strong, from the object's id and version


# At most 19 digits each: no id or version is larger, and ``int()`` refuses 4,300 or more;
# no leading zero, which no tag is written with ("v03" is not "v3": If-Match compares
# strongly). A tag may end with a digest of what else the representation shows (``-r`` and
# hex digits: a claim's relations, for staff); If-Match vouches for the version, which is
# what a write changes.
# The same form is the only one an id takes in a URL (``project.urls.ApiRouter``).
ID_PATTERN = r"(?:0|[1-9][0-9]{0,18})"
_NUMBER = ID_PATTERN
_ETAG = re.compile(rf'^"(?P<kind>[a-z]+)-(?P<pk>{_NUMBER})-v(?P<version>{_NUMBER})(?:-r[0-9a-f]{{1,32}})?"$')


def etag_for(kind: str, pk: int, version: int, digest: str | None = None) -> str:
    return f'"{kind}-{pk}-v{version}-r{digest}"' if digest else f'"{kind}-{pk}-v{version}"'


def _if_match_tags(request) -> list[str] | None:
    """The tags of an ``If-Match`` header; None when there is none, or it is ``*`` (any)."""
    header = request.headers.get("If-Match")
    if header is None:
        return None
    tags = parse_etags(header)
    return None if "*" in tags else tags


def expected_version(request, kind: str, pk: int, current_version: int) -> int | None:
    """The version an ``If-Match`` header vouches for, or None when there is no header.

    A header that names no current representation (another version, another object, a weak
    tag: If-Match compares strongly) answers 412 before anything is written. The version
    returned is then checked again by the service under its row lock, so a write that
    raced in between is caught too.
    """
    tags = _if_match_tags(request)
    if tags is None:
        return None
    versions = set()
    for tag in tags:
        match = _ETAG.match(tag)
        if match and match["kind"] == kind and int(match["pk"]) == pk:
            versions.add(int(match["version"]))
    if current_version in versions:
        return current_version
    raise StaleVersion(
        f"If-Match does not match the current version of {kind} #{pk} "
        f"({etag_for(kind, pk, current_version)}); reload it and try again.",
        extra={"current_version": current_version},
    )


# The tags of what has no version number (a source): ``"<kind>-<pk>-<revision>"``, the
# revision a digest of its content, and a word for a representation that is not the
# public one (``-full``: with the text).
_REVISION_TAG = re.compile(rf'^"(?P<kind>[a-z]+)-(?P<pk>{_NUMBER})-(?P<revision>[0-9a-f]{{1,64}})(?:-[a-z]+)?"$')


def revision_etag(kind: str, pk: int, revision: str, variant: str | None = None) -> str:
    return f'"{kind}-{pk}-{revision}-{variant}"' if variant else f'"{kind}-{pk}-{revision}"'


def expected_revision(request, kind: str, pk: int, current_revision: str) -> str | None:
    """``expected_version`` for what is known by a revision (``revision_etag``): the revision
    an ``If-Match`` header vouches for (None: no header, or ``*``); a header naming another
    is 412 before anything is written, and the service checks it again under its lock."""
    tags = _if_match_tags(request)
    if tags is None:
        return None
    revisions = {
        match["revision"] for tag in tags
        if (match := _REVISION_TAG.match(tag)) and match["kind"] == kind and int(match["pk"]) == pk
    }
    if current_revision in revisions:
        return current_revision
    raise StaleVersion(
        f"If-Match does not match the current revision of {kind} #{pk} "
        f"({revision_etag(kind, pk, current_revision)}); reload it and try again.",
        extra={"current_revision": current_revision},
    )


def not_modified(request, etag: str) -> bool:
    """``If-None-Match`` (weak comparison, as RFC 9110 asks for GET)."""
    header = request.headers.get("If-None-Match")
    if header is None:
        return False
    tags = [tag.removeprefix("W/") for tag in parse_etags(header)]
    return "*" in tags or etag in tags


# ---------------------------------------------------------------------------------------------
# OpenAPI: the error answers, documented once

ERROR_RESPONSES: dict[int, OpenApiResponse] = {
    400: OpenApiResponse(
        ValidationErrorSerializer,
        "Invalid input: per-field messages in `errors`, and the rule that refused them in `code` "
        "(`invalid`, or a domain rule's, e.g. an anchoring failure with its `candidates`).",
    ),
    401: OpenApiResponse(
        ErrorSerializer, "Not authenticated: send `Authorization: Token <key>` (or `Bearer <key>`) or a session."
    ),
    403: OpenApiResponse(ErrorSerializer, "Authenticated, but the caller's role does not allow this."),
    404: OpenApiResponse(ErrorSerializer, "No such object, or not visible to the caller."),
    409: OpenApiResponse(
        ConflictSerializer,
        "The object's state forbids this (workflow, content freeze, protected delete); `code` names the rule.",
    ),
    412: OpenApiResponse(
        PreconditionFailedSerializer, "`If-Match` names an outdated version; nothing was written."
    ),
    503: OpenApiResponse(
        ErrorSerializer, "A store the answer needs did not answer; try again after `Retry-After` seconds."
    ),
}


def error_responses(*codes: int) -> dict[int, OpenApiResponse]:
    """The documented error answers of an operation, e.g. ``error_responses(400, 401, 403)``."""
    return {code: ERROR_RESPONSES[code] for code in codes}


WRITE_ERRORS = (400, 401, 403)
OBJECT_WRITE_ERRORS = (400, 401, 403, 404, 409)

IF_MATCH = OpenApiParameter(
    "If-Match",
    str,
    OpenApiParameter.HEADER,
    description="The claim's `ETag`; when it is not the current version the answer is 412 and nothing changes.",
)
IF_NONE_MATCH = OpenApiParameter(
    "If-None-Match",
    str,
    OpenApiParameter.HEADER,
    description="An `ETag` the caller holds; when it is current the answer is 304 without a body.",
)
SOURCE_IF_MATCH = OpenApiParameter(
    "If-Match",
    str,
    OpenApiParameter.HEADER,
    description="The source's `ETag`; when the source changed since, the answer is 412 and nothing changes.",
)
SOURCE_ETAG_HEADER = OpenApiParameter(
    "ETag",
    str,
    OpenApiParameter.HEADER,
    response=[200],
    description='Strong validator of the source\'s current content: `"source-<id>-<revision>"` '
    '(`-full` for staff, whose representation holds the text).',
)
NOT_MODIFIED = OpenApiResponse(description="Not modified: `If-None-Match` names the current ETag.")
RETRY_AFTER_UNAVAILABLE = OpenApiParameter(
    "Retry-After",
    int,
    OpenApiParameter.HEADER,
    response=[503],
    required=True,
    description="Seconds after which the request is worth trying again.",
)
ENTITY_IF_MATCH = OpenApiParameter(
    "If-Match",
    str,
    OpenApiParameter.HEADER,
    description="The entity's `ETag`; when the entity changed since, the answer is 412 and nothing changes.",
)
ENTITY_ETAG_HEADER = OpenApiParameter(
    "ETag",
    str,
    OpenApiParameter.HEADER,
    response=[200, 201],
    description='Strong validator of the entity\'s current content: `"entity-<id>-<revision>"`.',
)
ETAG_HEADER = OpenApiParameter(
    "ETag",
    str,
    OpenApiParameter.HEADER,
    response=[200],
    description='Strong validator of the claim\'s current version: `"claim-<id>-v<version>"`.',
)
