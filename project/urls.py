from django.contrib import admin
from django.http import HttpResponsePermanentRedirect
from django.templatetags.static import static
from django.urls import include, path
from django.views.defaults import page_not_found, server_error
from django.views.generic import RedirectView
from rest_framework.routers import SimpleRouter

from claims.views import ClaimRelationViewSet, ClaimViewSet, EntityViewSet, EvidenceViewSet, ReviewQueueView
from feed.views import ChangesView
from project.api import ID_PATTERN, json_not_found, json_server_error
from project.auth import ObtainTokenView
from project.docs import RedocView, SchemaView, SwaggerView
from sources.views import SourceViewSet, SpanViewSet


class ApiRouter(SimpleRouter):
    """DRF's router, with an object's id in its one canonical form: ASCII digits, no sign,
    no leading zero, no space (``ID_PATTERN``). DRF's default takes anything but a slash or
    a dot, and the integer lookup then read ``٩٥``, ``+95``, ``0095`` and ``95%20`` as
    claim 95: one object under many URLs, each with its own cache entry. The others are
    404s."""

    def get_lookup_regex(self, viewset, lookup_prefix=""):
        name = getattr(viewset, "lookup_url_kwarg", None) or getattr(viewset, "lookup_field", "pk")
        return f"(?P<{lookup_prefix}{name}>{getattr(viewset, 'lookup_value_regex', ID_PATTERN)})"


# The JSON API, version 1 (see DESIGN.md, "API").
router = ApiRouter()
router.register("sources", SourceViewSet, basename="source")
router.register("spans", SpanViewSet, basename="span")
router.register("entities", EntityViewSet, basename="entity")
router.register("claims", ClaimViewSet, basename="claim")
router.register("evidence", EvidenceViewSet, basename="evidence")
router.register("relations", ClaimRelationViewSet, basename="relation")

api_v1 = [
    *router.urls,
    path("review-queue/", ReviewQueueView.as_view(), name="review-queue"),
    path("auth/token/", ObtainTokenView.as_view(), name="auth-token"),
    path("changes/", ChangesView.as_view(), name="changes"),
]

def favicon(request):
    """The site's icon, where a browser asks for it without a page naming it (resolved when
    asked: a manifest storage names the file by its hash)."""
    return HttpResponsePermanentRedirect(static("claims/favicon.svg"))


urlpatterns = [
    path("", RedirectView.as_view(url="/admin/", permanent=False)),
    # What a browser asks for when a page names no icon (the API's docs, a JSON answer).
    path("favicon.ico", favicon),
    path("admin/", admin.site.urls),
    path("api/v1/", include(api_v1)),
    # The OpenAPI schema and its viewers, served from local static files.
    path("api/schema/", SchemaView.as_view(), name="schema"),
    path("api/docs/", SwaggerView.as_view(url_name="schema"), name="swagger-ui"),
    path("api/redoc/", RedocView.as_view(url_name="schema"), name="redoc"),
]


def handler404(request, exception):
    """JSON for unknown API addresses; Django's page for everything else."""
    if request.path.startswith("/api/"):
        return json_not_found(request, exception)
    return page_not_found(request, exception)


def handler500(request):
    if request.path.startswith("/api/"):
        return json_server_error(request)
    return server_error(request)
