"""The source and span endpoints: thin adapters over ``sources.services``.

Visibility: anybody reads source metadata; only staff (users who may view sources) get a
source's ``text``. Spans are public only when an app that cites them says so (see
``register_public_spans``): this app never imports the apps built on it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.db.models import Q, QuerySet
from django.http import FileResponse, Http404
from django.utils.text import slugify
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotAuthenticated, PermissionDenied
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.reverse import reverse

from project.api import (
    IF_NONE_MATCH,
    NOT_MODIFIED,
    RETRY_AFTER_UNAVAILABLE,
    SOURCE_ETAG_HEADER,
    SOURCE_IF_MATCH,
    ErrorSerializer,
    JSONLDRenderer,
    LongTextJSONRenderer,
    ModelPermissionsOrReadOnly,
    StrictJSONParser,
    error_responses,
    expected_revision,
    long_text_response,
    not_modified,
    revision_etag,
    sees_everything,
)
from project.errors import Conflict, Missing, Unavailable
from project.pagination import KeysetPagination

from . import ingestion, services
from .exports import span_annotation
from .filters import SourceFilter, SpanFilter
from .models import Source, Span, with_source_titles
from .uploads import SourceUploadParser
from .serializers import (
    SourceConflictSerializer,
    SourceDetailSerializer,
    SourceFetchSerializer,
    SourceSerializer,
    SourceUploadSerializer,
    SourceUpdateResultSerializer,
    SourceValidationErrorSerializer,
    SourceWriteSerializer,
    SpanCreateSerializer,
    SpanSerializer,
)

logger = logging.getLogger(__name__)


# ---------------------------------------------------------------------------------------------
# Which spans the public sees

PublicSpanRule = Callable[[], Q]
_public_span_rules: list[PublicSpanRule] = []


def register_public_spans(rule: PublicSpanRule) -> None:
    """Let a citing app make spans public: ``rule()`` returns the condition (a ``Q`` over
    ``Span``) of the spans it publishes. Without any rule, no span is public."""
    if rule not in _public_span_rules:
        _public_span_rules.append(rule)


def public_spans(queryset: QuerySet[Span]) -> QuerySet[Span]:
    if not _public_span_rules:
        return queryset.none()
    condition = Q()
    for rule in _public_span_rules:
        condition |= rule()
    return queryset.filter(condition)


def visible_spans(user, queryset: QuerySet[Span] | None = None) -> QuerySet[Span]:
    queryset = Span.objects.all() if queryset is None else queryset
    return queryset if sees_everything(user, "sources", "span") else public_spans(queryset)


# ---------------------------------------------------------------------------------------------
# Sources


SOURCE_REFUSED = OpenApiResponse(
    SourceValidationErrorSerializer,
    "Invalid input (per-field `errors`), or a refusal whose `code` says why; an upload's "
    "`too_large` names its `limit_bytes`, its `incomplete_upload` the `received_bytes`, a fetch's `http_status` the `status` the server answered.",
)
SOURCE_EXISTS = OpenApiResponse(
    SourceConflictSerializer,
    "`duplicate_original` (the same original twice) or `duplicate_url` (a URL already recorded, "
    "under any of its spellings): `existing_source` names the source that holds it.",
)
URL_TAKEN = OpenApiResponse(
    SourceConflictSerializer,
    "`duplicate_url`: the URL is already recorded, under any of its spellings, by the "
    "`existing_source` (and said on `errors.url`); or `concurrent_update`.",
)
STORAGE_UNAVAILABLE = OpenApiResponse(
    ErrorSerializer,
    "`storage_unavailable`: where originals are kept cannot be written (read-only, unmounted); "
    "nothing was created. `Retry-After` says when to try again.",
)
STORAGE_FULL = OpenApiResponse(
    ErrorSerializer,
    "`storage_full`: the server's disk, where originals are kept or uploads spooled, is full; "
    "nothing was created.",
)
ORIGINAL_ETAG_HEADER = OpenApiParameter(
    "ETag",
    str,
    OpenApiParameter.HEADER,
    response=[200, 304],
    description="The original's SHA-256, quoted: its bytes never change under it.",
)


class FileDownloadNegotiation(BaseContentNegotiation):
    """A download answers with the file's own type whatever ``Accept`` says (a browser
    asking for ``application/pdf`` must not get 406); errors stay JSON."""

    def select_parser(self, request, parsers):
        return parsers[0]

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type


@extend_schema_view(
    list=extend_schema(
        summary="List sources (without their text)",
        responses={200: SourceSerializer(many=True), **error_responses(400)},
    ),
    retrieve=extend_schema(
        summary="A source; `text` only for staff callers",
        parameters=[IF_NONE_MATCH, SOURCE_ETAG_HEADER],
        responses={200: SourceDetailSerializer, 304: NOT_MODIFIED, **error_responses(404)},
    ),
    create=extend_schema(
        summary="Create a source, from its text or from a file",
        description="JSON with the `text`; or multipart/form-data with a `file` (plain text and "
        "Markdown kept as they are; HTML's main content; a PDF's text layer) whose original is "
        "kept, and optional fields that take precedence over the file's own metadata. An "
        "unsupported type, a PDF without a text layer, a file over `MAX_SOURCE_MB`, an upload cut off before "
        "its end (`incomplete_upload`): 400 saying so. The same original twice, or a URL already recorded: 409 naming the existing source.",
        request={"application/json": SourceWriteSerializer, "multipart/form-data": SourceUploadSerializer},
        parameters=[RETRY_AFTER_UNAVAILABLE],
        responses={201: SourceDetailSerializer, 400: SOURCE_REFUSED, **error_responses(401, 403), 409: SOURCE_EXISTS,
                   503: STORAGE_UNAVAILABLE, 507: STORAGE_FULL},
    ),
    partial_update=extend_schema(
        summary="Change a source; a new text re-anchors its spans",
        description="When `text` changes, every span is re-anchored in the same transaction; "
        "`reanchor` counts the spans kept, relocated and orphaned.",
        request=SourceWriteSerializer,
        parameters=[SOURCE_IF_MATCH, SOURCE_ETAG_HEADER],
        responses={200: SourceUpdateResultSerializer, 400: SOURCE_REFUSED, **error_responses(401, 403, 404, 412),
                   409: URL_TAKEN},
    ),
    destroy=extend_schema(
        summary="Delete a source that has no spans",
        responses={204: None, **error_responses(401, 403, 404, 409)},
    ),
)
class SourceViewSet(viewsets.GenericViewSet):
    queryset = Source.objects.select_related("created_by")
    serializer_class = SourceSerializer
    filterset_class = SourceFilter
    pagination_class = KeysetPagination
    permission_classes = [ModelPermissionsOrReadOnly]
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]
    parser_classes = [StrictJSONParser, SourceUploadParser]
    # A source's text can be tens of megabytes: rendered without copies of it.
    renderer_classes = [LongTextJSONRenderer]

    def _with_text(self) -> bool:
        return sees_everything(self.request.user, "sources", "source")

    def _shown_as(self) -> dict:
        """The serializers' context: whether the caller is staff, and the request (links are
        absolute)."""
        return {"staff": self._with_text(), "request": self.request}

    def get_queryset(self) -> QuerySet[Source]:
        queryset = super().get_queryset()
        if self.action == "list" or not self._with_text():
            queryset = queryset.defer("text")
        return queryset

    def list(self, request):
        queryset = self.filter_queryset(self.get_queryset())
        page = self.paginate_queryset(queryset)
        return self.get_paginated_response(SourceSerializer(page, many=True, context=self._shown_as()).data)

    def _etag(self, source: Source) -> str:
        """Its content's revision (``services.source_revision``); staff's representation,
        with the text, has a tag of its own."""
        return revision_etag("source", source.pk, services.source_revision(source), "full" if self._with_text() else None)

    def retrieve(self, request, pk=None):
        source = self.get_object()
        etag = self._etag(source)
        if not_modified(request, etag):
            return Response(status=status.HTTP_304_NOT_MODIFIED, headers={"ETag": etag})
        staff = self._with_text()
        return Response(SourceDetailSerializer(source, include_text=staff, context={"staff": staff, "request": request}).data, headers={"ETag": etag})

    def create(self, request):
        if request.content_type.startswith("multipart/"):
            data = SourceUploadSerializer(data=request.data)
            data.is_valid(raise_exception=True)
            fields = dict(data.validated_data)
            upload = fields.pop("file")
            source = ingestion.source_create_from_file(
                user=request.user,
                stream=upload,
                filename=upload.name or "",
                declared_type=upload.content_type or "",
                charset=upload.charset or "",
                **fields,
            )
        else:
            data = SourceWriteSerializer(data=request.data)
            data.is_valid(raise_exception=True)
            source = services.source_create(user=request.user, **data.validated_data)
        # A text from a large file streams from where it was spooled (never loaded whole).
        return long_text_response(request, SourceDetailSerializer(source, context=self._shown_as()).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Create a source from a URL, read now",
        description="Fetches the page or document (public addresses only, redirects included; "
        "with a timeout and `MAX_SOURCE_MB`), extracts its text and metadata, and keeps the "
        "original. Fetch failures are 400s whose `code` says what happened: `timeout`, "
        "`too_large`, `address_not_allowed`, `unresolvable`, `connection`, "
        "`too_many_redirects`, `bad_url`, `http_status`, `unsupported_type`.",
        request=SourceFetchSerializer,
        parameters=[RETRY_AFTER_UNAVAILABLE],
        responses={201: SourceDetailSerializer, 400: SOURCE_REFUSED, **error_responses(401, 403), 409: SOURCE_EXISTS,
                   503: STORAGE_UNAVAILABLE, 507: STORAGE_FULL},
    )
    @action(detail=False, methods=["post"], parser_classes=[StrictJSONParser])
    def fetch(self, request):
        data = SourceFetchSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        source = ingestion.source_create_from_url(user=request.user, url=fields.pop("url"), **fields)
        return long_text_response(request, SourceDetailSerializer(source, context=self._shown_as()).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Download the original file (authenticated staff)",
        description="The bytes the source's text was extracted from, with their media type. "
        "401 for anonymous callers, 403 for users who are not staff (analysts, reviewers), "
        "404 `no_original` for sources created from pasted text. Checked against its hash before "
        "it is sent: 404 `original_missing` when storage lost it, 409 `original_damaged` when its "
        "bytes changed there, 503 `original_unavailable` when storage did not answer. Its `ETag` is "
        "its hash: `If-None-Match` with it is a 304.",
        parameters=[IF_NONE_MATCH, ORIGINAL_ETAG_HEADER, RETRY_AFTER_UNAVAILABLE],
        responses={
            (200, "*/*"): OpenApiTypes.BINARY,
            304: NOT_MODIFIED,
            **error_responses(401, 403, 404),
            409: OpenApiResponse(
                ErrorSerializer,
                "`original_damaged`: the stored bytes no longer match the hash; upload the same bytes again to restore them.",
            ),
            **error_responses(503),
        },
    )
    @action(detail=True, methods=["get"], content_negotiation_class=FileDownloadNegotiation)
    def original(self, request, pk=None):
        source = self.get_object()  # a source the caller may not see is not found
        if not self._with_text():
            # The source is public, and says it has an original (its hash): say who may have it.
            if not request.user.is_authenticated:
                raise NotAuthenticated("Log in to download a source's original: it is for staff (analysts and reviewers).")
            raise PermissionDenied("A source's original is for staff (analysts and reviewers) to download.")
        if not source.original_sha256:
            raise Missing(
                f"Source #{source.pk} has no original: its text was given as text, not read from a file or a page.",
                code="no_original",
            )
        etag = f'"{source.original_sha256}"'  # its bytes, named by their hash: never other ones
        if not_modified(request, etag):
            return Response(status=status.HTTP_304_NOT_MODIFIED, headers={"ETag": etag})
        # Read whole before it is sent (a hash of 50 MB is a tenth of a second): the answer
        # names the original by its hash, and must never be other bytes under that name.
        problem = ingestion.original_problem(source)
        if problem == "unreadable":
            raise Unavailable(
                f"The storage did not give the original of source #{source.pk}; try again later.",
                code="original_unavailable",
            )
        if problem is not None:
            name = ingestion.original_name_of(source)
            logger.error("Source %s: its original %s is %s in storage", source.pk, name, problem)
            where = f"in storage ({name})" if source.original else f"here: it was imported by its hash only ({name})"
            raise (Missing if problem == "missing" else Conflict)(
                f"The original of source #{source.pk} is {problem} {where}. "
                "Restore it from a backup, or upload the same bytes again: they restore it.",
                code=f"original_{problem}",
            )
        try:
            stream = source.original.open("rb")
        except FileNotFoundError as error:
            raise Http404 from error
        extension = source.original.name.rsplit(".", 1)[-1] if "." in source.original.name else "bin"
        content_type = source.original_media_type or "application/octet-stream"
        if source.original_charset and content_type.startswith("text/"):
            # The encoding its text was read in: a page's wrong <meta charset>, or a browser's
            # default for a text file, would show other characters than the source's text.
            content_type += f"; charset={source.original_charset}"
        response = FileResponse(
            stream,
            content_type=content_type,
            as_attachment=True,
            # Named for the source, and told apart by its number: "Iran's Russian
            # Conundrum" downloads as irans-russian-conundrum-8.html, not source-8.html.
            filename=f"{slugify(source.title, allow_unicode=True)[:80].strip('-_') or 'source'}-{source.pk}.{extension}",
        )
        # An HTML original is somebody else's page: never run it in this site's origin.
        response["Content-Security-Policy"] = "sandbox"
        response["ETag"] = etag
        return response

    def partial_update(self, request, pk=None):
        source = self.get_object()
        revision = expected_revision(request, "source", source.pk, services.source_revision(source))
        data = SourceWriteSerializer(source, data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        summary = services.source_update(source=source, user=request.user, expected_revision=revision, **data.validated_data)
        source = Source.objects.select_related("created_by").get(pk=source.pk)
        source.reanchor = summary or None
        return Response(SourceUpdateResultSerializer(source, context=self._shown_as()).data, headers={"ETag": self._etag(source)})

    def destroy(self, request, pk=None):
        services.source_delete(source=self.get_object(), user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


# ---------------------------------------------------------------------------------------------
# Spans


@extend_schema_view(
    list=extend_schema(
        summary="List spans, in text order", responses={200: SpanSerializer(many=True), **error_responses(400)}
    ),
    retrieve=extend_schema(summary="A span", responses={200: SpanSerializer, **error_responses(404)}),
    create=extend_schema(
        summary="Anchor a span, by offsets or by quote",
        description=(
            "By offsets `{source, start, end}` (a `quote` sent along must match) or by quote "
            "`{source, quote}` with `occurrence` (1-based) or `prefix`/`suffix` to choose among "
            "repeats. A quote that is not found answers 400; an ambiguous one answers 400 with "
            "every `candidates` `{start, end}`. An anchored span at the same offsets is reused "
            "(200) rather than duplicated (201)."
        ),
        request=SpanCreateSerializer,
        responses={
            201: SpanSerializer,
            200: OpenApiResponse(SpanSerializer, "An existing span at these offsets."),
            **error_responses(400, 401, 403),
        },
    ),
    destroy=extend_schema(
        summary="Delete a span that no evidence uses",
        responses={204: None, **error_responses(401, 403, 404, 409)},
    ),
)
class SpanViewSet(viewsets.GenericViewSet):
    queryset = with_source_titles(Span.objects.select_related("created_by"))
    serializer_class = SpanSerializer
    filterset_class = SpanFilter
    pagination_class = KeysetPagination
    permission_classes = [ModelPermissionsOrReadOnly]
    http_method_names = ["get", "post", "delete", "head", "options"]

    def get_queryset(self) -> QuerySet[Span]:
        return visible_spans(self.request.user, super().get_queryset().order_by("start"))

    def list(self, request):
        queryset = self.filter_queryset(self.get_queryset())
        page = self.paginate_queryset(queryset)
        return self.get_paginated_response(SpanSerializer(page, many=True).data)

    def retrieve(self, request, pk=None):
        return Response(SpanSerializer(self.get_object()).data)

    def create(self, request):
        data = SpanCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        span, created = services.span_create(user=request.user, **data.validated_data)
        span = self.get_queryset().get(pk=span.pk)
        return Response(SpanSerializer(span).data, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)

    def destroy(self, request, pk=None):
        services.span_delete(span=self.get_object(), user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        summary="The span as a W3C Web Annotation (JSON-LD)",
        description="TextQuoteSelector and TextPositionSelector (code points, half-open) over the "
        "source; an orphaned span carries the quote selector only.",
        responses={200: OpenApiResponse(OpenApiTypes.OBJECT, "A Web Annotation."), **error_responses(400, 404)},
    )
    @action(detail=True, methods=["get"], renderer_classes=[JSONLDRenderer, JSONRenderer])
    def annotation(self, request, pk=None):
        span = self.get_object()
        source_iri = span.source.url or reverse("source-detail", args=[span.source_id], request=request)
        annotation_iri = reverse("span-annotation", args=[span.pk], request=request)
        return Response(span_annotation(span, annotation_iri=annotation_iri, source_iri=source_iri))
