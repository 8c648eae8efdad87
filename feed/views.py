"""``GET /api/v1/changes/``: the changes feed, a thin adapter over ``feed.selectors``."""

from __future__ import annotations

from contextlib import nullcontext

from drf_spectacular.utils import extend_schema
from rest_framework import permissions
from rest_framework.response import Response
from rest_framework.utils.urls import replace_query_param
from rest_framework.views import APIView

from project.api import error_responses
from project.routers import read_primary

from . import selectors, sequencing
from .serializers import ChangesPageSerializer, ChangesQuerySerializer


class ChangesView(APIView):
    """Every change the caller may see, in the order the changes committed."""

    permission_classes = [permissions.AllowAny]

    @extend_schema(
        summary="The changes feed: events after a seq, in commit order",
        description=(
            "Store the last `seq` you processed and ask for `?after=<seq>`: you miss nothing and "
            "see nothing twice, whatever writers do meanwhile. Anonymous callers see public "
            "events (publications, retractions, changes to public claims, sources), numbered "
            "among public events (1, 2, 3...: no gap tells of hidden work); staff see every "
            "event, drafts included, by the feed's own numbers."
        ),
        # Read off the serializer that checks them: their bounds and defaults too.
        parameters=[ChangesQuerySerializer],
        responses={200: ChangesPageSerializer, **error_responses(400)},
    )
    def get(self, request):
        query = ChangesQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        after, limit = query.validated_data["after"], query.validated_data["limit"]
        # Number what committed since the last reader did: then this page shows every event
        # committed before the request. One indexed look-up when nothing waits.
        numbered = sequencing.sequence_pending()
        # The numbers just given are on the primary, and a replica may not have them yet.
        # Numbering is no write of the caller's (it pins nothing): only this read moves.
        with read_primary() if numbered else nullcontext():
            events = selectors.events_after(request.user, after, limit + 1, query.validated_data.get("types"))
        has_more = len(events) > limit
        public = selectors.sequence_field(request.user) == "public_seq"
        results = [event.as_payload(public=public) for event in events[:limit]]
        last = results[-1]["seq"] if results else after
        return Response(
            {
                "results": results,
                "next": replace_query_param(request.build_absolute_uri(), "after", last),
                "has_more": has_more,
                "numbering": "public" if public else "all",
            }
        )
