"""The claim endpoints: thin adapters over ``claims.services`` and ``claims.selectors``.

A view validates the shape of the input, calls one service, and serializes the result;
the rules (who may do what, the freeze, the workflow) and their errors are the services'.
"""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import generics, mixins, permissions, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.reverse import reverse

from project.api import (
    ETAG_HEADER,
    IF_MATCH,
    IF_NONE_MATCH,
    JSONLDRenderer,
    ENTITY_ETAG_HEADER,
    ENTITY_IF_MATCH,
    NOT_MODIFIED,
    ModelPermissionsOrReadOnly,
    answers_method,
    error_responses,
    etag_for,
    expected_revision,
    expected_version,
    not_modified,
    revision_etag,
)
from project.pagination import KeysetPagination
from sources.views import register_public_spans

from . import fast_detail, fast_list, relation_selectors, relation_services, selectors, services
from .similar import similar_claims
from .services import EvidenceInput
from .exports import claim_review
from .filters import ClaimFilter, EntityFilter, EvidenceFilter
from .models import Claim, ClaimRelation, Entity, Evidence
from .roles import is_reviewer
from .serializers import (
    ClaimCreateSerializer,
    ClaimRelationCreateSerializer,
    ClaimRelationSerializer,
    ClaimWithRelationsSerializer,
    ClaimSerializer,
    ClaimWriteSerializer,
    EntitySerializer,
    EvidenceCreateSerializer,
    EvidenceSerializer,
    EvidenceUpdateSerializer,
    HistoryEntrySerializer,
    ReviewSerializer,
    SimilarClaimSerializer,
    SimilarQuerySerializer,
    TransitionSerializer,
)

# Spans cited by public claims are public (sources never imports claims; it asks instead).
# Registered here because the URL configuration imports this module before any request.
register_public_spans(selectors.public_span_condition)

TRANSITIONS = {
    # url path: (service action, summary)
    "submit": ("submit", "Submit a draft for review (author or reviewer; needs evidence)"),
    "approve": ("approve", "Approve and publish (a reviewer who is not the author)"),
    "reject": ("reject", "Reject (a reviewer who is not the author; comment required)"),
    "request-changes": ("request_changes", "Request changes (a reviewer who is not the author; comment required)"),
    "retract": ("retract", "Retract a published claim (a reviewer; comment required)"),
    "reopen": ("reopen", "Reopen as a draft (a reviewer, or the author of a rejected claim; comment required)"),
}


def _claim_response(
    request, claim: Claim, *, status_code: int = status.HTTP_200_OK, headers: dict | None = None
) -> HttpResponse:
    """The claim's representation (``ClaimWithRelationsSerializer``'s bytes, built by
    ``claims.fast_detail``), read afresh after a write."""
    row = fast_detail.detail_rows(Claim.objects.filter(pk=claim.pk)).get()
    return _detail_response(request, row, status_code=status_code, headers=headers)


def claim_etag(request, claim_id: int, version: int) -> str:
    """A claim's ETag: its version; for a signed-in caller, whose representation is
    another (``claims.fast_detail``: the contributors and the editorial checks; for staff,
    relations to hidden claims, which give a public claim no new version), with a digest
    of the relations they see."""
    user = request.user
    digest = relation_selectors.relations_digest(claim_id, user) if user.is_authenticated else None
    return etag_for("claim", claim_id, version, digest)


def _detail_response(request, row, *, status_code: int = status.HTTP_200_OK, headers: dict | None = None) -> HttpResponse:
    response = HttpResponse(fast_detail.detail(row, request.user), status=status_code, content_type="application/json")
    for name, value in {"ETag": claim_etag(request, row.id, row.version), **(headers or {})}.items():
        response[name] = value
    return response


def _transition_endpoint(url_path: str):
    """One POST endpoint per workflow action, all through ``claim_transition``."""
    service_action, summary = TRANSITIONS[url_path]

    def transition(self, request, pk=None):
        claim = self.get_object()
        # The precondition first: a stale caller learns that before anything else.
        version = expected_version(request, "claim", claim.pk, claim.version)
        data = TransitionSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.claim_transition(
            claim=claim,
            user=request.user,
            action=service_action,
            comment=data.validated_data.get("comment", ""),
            expected_version=version,
        )
        return _claim_response(request, claim)

    transition.__name__ = service_action
    transition = action(detail=True, methods=["post"], url_path=url_path, url_name=url_path)(transition)
    return extend_schema(
        summary=summary,
        request=TransitionSerializer,
        parameters=[IF_MATCH, ETAG_HEADER],
        responses={200: ClaimWithRelationsSerializer, **error_responses(400, 401, 403, 404, 409, 412)},
    )(transition)


@extend_schema_view(
    list=extend_schema(
        summary="List claims (cursor-paginated, filterable)",
        # 403: has_checks (the editorial checks) is for authenticated callers.
        responses={200: ClaimSerializer(many=True), **error_responses(400, 403)},
    ),
    retrieve=extend_schema(
        summary="A claim with its evidence, spans and sources",
        parameters=[IF_NONE_MATCH, ETAG_HEADER],
        responses={
            200: ClaimWithRelationsSerializer,
            304: NOT_MODIFIED,
            **error_responses(404),
        },
    ),
    create=extend_schema(
        summary="Create a draft claim, with its evidence inline",
        description=(
            "Atomic: if any evidence item fails (unknown span, quote not found or ambiguous...), "
            "nothing is created and the error names the item (`evidence_index`, and "
            "`errors.evidence[i]` for invalid input)."
        ),
        request=ClaimCreateSerializer,
        responses={201: ClaimWithRelationsSerializer, **error_responses(400, 401, 403)},
    ),
    partial_update=extend_schema(
        summary="Change a claim's content (draft or changes requested only)",
        request=ClaimWriteSerializer,
        parameters=[IF_MATCH, ETAG_HEADER],
        responses={200: ClaimWithRelationsSerializer, **error_responses(400, 401, 403, 404, 409, 412)},
    ),
    destroy=extend_schema(
        summary="Delete a draft that was never submitted",
        parameters=[IF_MATCH],
        responses={204: None, **error_responses(401, 403, 404, 409, 412)},
    ),
)
class ClaimViewSet(viewsets.GenericViewSet):
    queryset = Claim.objects.all()
    serializer_class = ClaimSerializer
    filterset_class = ClaimFilter
    pagination_class = KeysetPagination
    permission_classes = [ModelPermissionsOrReadOnly]
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def get_queryset(self) -> QuerySet[Claim]:
        claims = selectors.visible_claims(self.request.user)
        if self.action == "list":
            return selectors.with_relations(claims)
        if self.action == "claimreview":
            return selectors.with_relations(claims, detail=True)
        return claims

    def filter_queryset(self, queryset: QuerySet) -> QuerySet:
        # Only the list filters; a detail address does not depend on list parameters.
        return super().filter_queryset(queryset) if self.action == "list" else queryset

    def list(self, request):
        # The bytes ClaimSerializer would give, built from rows at a fraction of the cost
        # (claims/fast_list.py; tests/api/test_fast_list.py proves them identical).
        return HttpResponse(fast_list.list_page(request, self), content_type="application/json")

    def serialized_list(self, request) -> Response:
        """The list page as ``ClaimSerializer`` builds it: the reference that ``list`` equals
        byte for byte, and the baseline of the benchmarks."""
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        results = ClaimSerializer(page, many=True).data
        selectors.name_visible_supersedes(request.user, results)
        return self.get_paginated_response(results)

    def serialized_detail(self, request, pk=None) -> Response:
        """The detail as ``ClaimWithRelationsSerializer`` builds it over the prefetched claim:
        the reference that ``retrieve`` equals byte for byte, and the baseline of the
        benchmarks."""
        claim = generics.get_object_or_404(
            selectors.with_relations(selectors.visible_claims(request.user), detail=True), pk=pk
        )
        claim.visible_relations = list(relation_selectors.relations_of(claim, request.user))
        data = ClaimWithRelationsSerializer(claim, context={"request": request}).data
        selectors.name_visible_supersedes(request.user, [data])
        return Response(data)

    def retrieve(self, request, pk=None):
        # The claim's row as the caller may see it; the rest once the ETag is checked.
        row = generics.get_object_or_404(fast_detail.detail_rows(selectors.visible_claims(request.user)), pk=pk)
        self.check_object_permissions(request, row)
        etag = claim_etag(request, row.id, row.version)
        if not_modified(request, etag):
            return Response(status=status.HTTP_304_NOT_MODIFIED, headers={"ETag": etag})
        return _detail_response(request, row)

    def create(self, request):
        data = ClaimCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        fields = {name: value for name, value in data.validated_data.items() if name != "evidence"}
        claim = services.claim_create(author=request.user, evidence=data.validated_evidence(), **fields)
        location = reverse("claim-detail", args=[claim.pk], request=request)
        return _claim_response(request, claim, status_code=status.HTTP_201_CREATED, headers={"Location": location})

    def partial_update(self, request, pk=None):
        claim = self.get_object()
        version = expected_version(request, "claim", claim.pk, claim.version)
        data = ClaimWriteSerializer(claim, data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        services.claim_update(claim=claim, user=request.user, expected_version=version, **data.validated_data)
        return _claim_response(request, claim)

    def destroy(self, request, pk=None):
        claim = self.get_object()
        version = expected_version(request, "claim", claim.pk, claim.version)
        services.claim_delete(claim=claim, user=request.user, expected_version=version)
        return Response(status=status.HTTP_204_NO_CONTENT)

    submit = _transition_endpoint("submit")
    approve = _transition_endpoint("approve")
    reject = _transition_endpoint("reject")
    request_changes = _transition_endpoint("request-changes")
    retract = _transition_endpoint("retract")
    reopen = _transition_endpoint("reopen")

    @extend_schema(
        summary="The claim's moderation log, oldest first",
        description="Anonymous callers see the public decisions only (publish, retract with its reason).",
        responses={200: ReviewSerializer(many=True), **error_responses(404)},
    )
    @action(detail=True, methods=["get"], pagination_class=None, filter_backends=[])
    def reviews(self, request, pk=None):
        claim = self.get_object()
        return Response(ReviewSerializer(selectors.visible_reviews(request.user, claim), many=True).data)

    @extend_schema(
        summary="Field-level history of the claim and its evidence, oldest first",
        description="Each entry compares a record with the previous one of the same object: "
        "who, when, and every field that changed (`old`, `new`). Anonymous callers see the "
        "published versions only, each compared with the previous published one.",
        responses={200: HistoryEntrySerializer(many=True), **error_responses(404)},
    )
    @action(detail=True, methods=["get"], pagination_class=None, filter_backends=[])
    def history(self, request, pk=None):
        claim = self.get_object()
        entries = selectors.visible_history(request.user, claim) + relation_selectors.relation_history(
            claim, request.user
        )
        entries.sort(key=lambda entry: entry["at"])
        return Response(HistoryEntrySerializer(entries, many=True).data)

    @extend_schema(
        summary="schema.org ClaimReview (JSON-LD) of a published claim",
        responses={
            200: OpenApiResponse(OpenApiTypes.OBJECT, "A ClaimReview."),
            **error_responses(400, 404),
        },
    )
    @action(detail=True, methods=["get"], renderer_classes=[JSONLDRenderer, JSONRenderer])
    def claimreview(self, request, pk=None):
        claim = self.get_object()
        if claim.status != Claim.Status.PUBLISHED:
            raise NotFound("Only a published claim has a ClaimReview.", code="not_published")
        url = reverse("claim-detail", args=[claim.pk], request=request)
        relations = relation_selectors.relations_of(claim, request.user)
        return Response(claim_review(claim, url=url, relations=relations, claim_url=lambda pk: reverse("claim-detail", args=[pk], request=request)))

    # -----------------------------------------------------------------------------------------
    # Relations and similar claims

    @extend_schema(
        methods=["GET"],
        summary="The claim's relations (duplicate of, contradicts, related) that the caller may see",
        responses={200: ClaimRelationSerializer(many=True), **error_responses(404)},
    )
    @extend_schema(
        methods=["POST"],
        summary="Relate the claim to another: duplicate_of, contradicts or related",
        description="No self-relation (400), one relation of a kind per pair of claims, either "
        "way round (409), both claims visible to the caller (400). A relation between two "
        "published or retracted claims, which everybody sees, is a reviewer's to record (403 "
        "`reviewed_content`).",
        request=ClaimRelationCreateSerializer,
        responses={201: ClaimRelationSerializer, **error_responses(400, 401, 403, 404, 409)},
    )
    @action(detail=True, methods=["get", "post"], pagination_class=None, filter_backends=[])
    def relations(self, request, pk=None):
        claim = self.get_object()
        if request.method == "GET":
            relations = relation_selectors.relations_of(claim, request.user)
            return Response(ClaimRelationSerializer(relations, many=True).data)
        data = ClaimRelationCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        relation = relation_services.relation_create(from_claim=claim, user=request.user, **data.validated_data)
        relation = relation_selectors.relations_of(claim, request.user).get(pk=relation.pk)
        return Response(ClaimRelationSerializer(relation).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Existing claims most likely to state the same fact as a text, best first",
        description="Visible claims only (anonymous callers: published and retracted ones); each "
        "with a score in 0..1 (0.6 and above: likely the same fact).",
        parameters=[SimilarQuerySerializer],
        responses={200: SimilarClaimSerializer(many=True), **error_responses(400)},
    )
    @action(detail=False, methods=["get"], pagination_class=None, filter_backends=[])
    def similar(self, request):
        query = SimilarQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        results = similar_claims(
            query.validated_data["text"],
            user=request.user,
            limit=query.validated_data["limit"],
            exclude=query.validated_data.get("exclude"),
        )
        return Response(SimilarClaimSerializer(results, many=True).data)


@extend_schema_view(
    retrieve=extend_schema(summary="A relation between two claims", responses={200: ClaimRelationSerializer, **error_responses(404)}),
    destroy=extend_schema(
        summary="Remove a relation (its author or a reviewer)",
        description="A relation between two published or retracted claims is a reviewer's to "
        "remove (403 `reviewed_content`), whoever recorded it.",
        responses={204: None, **error_responses(401, 403, 404)},
    ),
)
class ClaimRelationViewSet(mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Relations are listed and created under their claim (``/claims/{id}/relations/``)."""

    queryset = ClaimRelation.objects.all()
    serializer_class = ClaimRelationSerializer
    permission_classes = [ModelPermissionsOrReadOnly]
    http_method_names = ["get", "delete", "head", "options"]

    def get_queryset(self) -> QuerySet[ClaimRelation]:
        return relation_selectors.visible_relations(self.request.user).select_related("created_by")

    def destroy(self, request, pk=None):
        relation_services.relation_delete(relation=self.get_object(), user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class IsReviewer(permissions.IsAuthenticated):
    """The review queue is for reviewers: 401 anonymous, 403 anybody else."""

    message = "The review queue is for reviewers."

    def has_permission(self, request, view) -> bool:
        if not answers_method(request, view):
            return True  # a 405, whoever asks
        return super().has_permission(request, view) and is_reviewer(request.user)


@extend_schema_view(
    get=extend_schema(
        summary="Claims in review that the caller may decide, oldest first",
        responses={200: ClaimSerializer(many=True), **error_responses(400, 401, 403)},
    )
)
class ReviewQueueView(generics.ListAPIView):
    """``in_review`` claims the caller may decide: a reviewer, on claims they did not write."""

    serializer_class = ClaimSerializer
    pagination_class = KeysetPagination
    permission_classes = [IsReviewer]
    filter_backends: list = []

    def get_queryset(self) -> QuerySet[Claim]:
        return selectors.with_relations(selectors.review_queue(self.request.user))


# ---------------------------------------------------------------------------------------------
# Evidence and entities


@extend_schema_view(
    list=extend_schema(
        summary="List evidence", responses={200: EvidenceSerializer(many=True), **error_responses(400)}
    ),
    retrieve=extend_schema(summary="An evidence row", responses={200: EvidenceSerializer, **error_responses(404)}),
    create=extend_schema(
        summary="Add evidence to an editable claim (a span id, or a source with a quote or offsets)",
        request=EvidenceCreateSerializer,
        responses={201: EvidenceSerializer, **error_responses(400, 401, 403, 409)},
    ),
    partial_update=extend_schema(
        summary="Change an evidence row's stance or note",
        request=EvidenceUpdateSerializer,
        responses={200: EvidenceSerializer, **error_responses(400, 401, 403, 404, 409)},
    ),
    destroy=extend_schema(
        summary="Remove evidence from an editable claim (the span stays)",
        responses={204: None, **error_responses(401, 403, 404, 409)},
    ),
)
class EvidenceViewSet(viewsets.GenericViewSet):
    queryset = Evidence.objects.all()
    serializer_class = EvidenceSerializer
    filterset_class = EvidenceFilter
    pagination_class = KeysetPagination
    permission_classes = [ModelPermissionsOrReadOnly]
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def get_queryset(self) -> QuerySet[Evidence]:
        return selectors.visible_evidence(self.request.user, selectors.evidence_with_spans(detail=True))

    def filter_queryset(self, queryset: QuerySet) -> QuerySet:
        return super().filter_queryset(queryset) if self.action == "list" else queryset

    def list(self, request):
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        return self.get_paginated_response(EvidenceSerializer(page, many=True).data)

    def retrieve(self, request, pk=None):
        return Response(EvidenceSerializer(self.get_object()).data)

    def create(self, request):
        data = EvidenceCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        claim = fields.pop("claim")
        evidence = services.evidence_add(claim=claim, user=request.user, item=EvidenceInput(**fields))
        evidence = self.get_queryset().get(pk=evidence.pk)
        return Response(EvidenceSerializer(evidence).data, status=status.HTTP_201_CREATED)

    def partial_update(self, request, pk=None):
        evidence = self.get_object()
        data = EvidenceUpdateSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        services.evidence_update(evidence=evidence, user=request.user, **data.validated_data)
        return Response(EvidenceSerializer(self.get_queryset().get(pk=evidence.pk)).data)

    def destroy(self, request, pk=None):
        services.evidence_remove(evidence=self.get_object(), user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


def entity_etag(entity: Entity) -> str:
    """An entity's ETag: the revision of its content (``services.entity_revision``, a digest
    of every field it shows), so that any change, on any path, gives it a new one. Every
    caller sees the same representation, so there is one tag."""
    return revision_etag("entity", entity.pk, services.entity_revision(entity))


@extend_schema_view(
    list=extend_schema(
        summary="List entities", responses={200: EntitySerializer(many=True), **error_responses(400)}
    ),
    retrieve=extend_schema(
        summary="An entity",
        parameters=[IF_NONE_MATCH, ENTITY_ETAG_HEADER],
        responses={
            200: EntitySerializer,
            304: NOT_MODIFIED,
            **error_responses(404),
        },
    ),
    create=extend_schema(
        summary="Create an entity",
        parameters=[ENTITY_ETAG_HEADER],
        responses={201: EntitySerializer, **error_responses(400, 401, 403)},
    ),
    partial_update=extend_schema(
        summary="Change an entity",
        parameters=[ENTITY_IF_MATCH, ENTITY_ETAG_HEADER],
        responses={200: EntitySerializer, **error_responses(400, 401, 403, 404, 412)},
    ),
)
class EntityViewSet(mixins.ListModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet):
    """Entities are reference data: anybody reads them, analysts create and edit them."""

    queryset = Entity.objects.all()
    serializer_class = EntitySerializer
    filterset_class = EntityFilter
    pagination_class = KeysetPagination
    permission_classes = [ModelPermissionsOrReadOnly]
    http_method_names = ["get", "post", "patch", "head", "options"]

    def create(self, request):
        data = self.get_serializer(data=request.data)
        data.is_valid(raise_exception=True)
        entity = data.save()
        location = reverse("entity-detail", args=[entity.pk], request=request)
        headers = {"ETag": entity_etag(entity), "Location": location}
        return Response(EntitySerializer(entity).data, status=status.HTTP_201_CREATED, headers=headers)

    def retrieve(self, request, pk=None):
        entity = self.get_object()
        etag = entity_etag(entity)
        if not_modified(request, etag):
            return Response(status=status.HTTP_304_NOT_MODIFIED, headers={"ETag": etag})
        return Response(EntitySerializer(entity).data, headers={"ETag": etag})

    def partial_update(self, request, pk=None):
        entity = self.get_object()
        # The precondition first: a stale caller learns that before anything else. The
        # service checks the revision again under the entity's lock, where an edit that
        # raced in after this check is seen.
        revision = expected_revision(request, "entity", entity.pk, services.entity_revision(entity))
        data = EntitySerializer(entity, data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        # Renaming an entity that published claims show is a reviewer's call (the service's).
        entity = services.entity_update(
            entity=entity, user=request.user, expected_revision=revision, **data.validated_data
        )
        return Response(EntitySerializer(entity).data, headers={"ETag": entity_etag(entity)})
