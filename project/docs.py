"""The API's schema and documentation pages: Swagger UI and Redoc, from local files, without
inline script (the Content-Security-Policy allows none)."""

from __future__ import annotations

from django.http import HttpResponse
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerSplitView
from rest_framework.renderers import JSONRenderer


class _DocsPage:
    """An HTML page answers OPTIONS with its methods only: DRF's metadata answer would go
    through the page's template renderer, which has no template for it (a 500)."""

    def options(self, request, *args, **kwargs):
        return HttpResponse(headers={"Allow": ", ".join(self.allowed_methods)})


class SwaggerView(_DocsPage, SpectacularSwaggerSplitView):
    """Swagger UI; its start-up script is a second request (``?script``) instead of an
    inline ``<script>``."""


class RedocView(_DocsPage, SpectacularRedocView):
    """Redoc, by its ``<redoc>`` element and the local bundle (no inline script, no fonts
    from outside)."""

    template_name = "api/redoc.html"


class SchemaView(SpectacularAPIView):
    """The OpenAPI schema (YAML, or JSON by ``?format=json``). An error (a token that is not
    valid: 401) is the API's JSON error, whatever the schema's format: it had been written
    in YAML, as ``detail: Invalid token.``, which a client reading the API's errors cannot
    parse."""

    def finalize_response(self, request, response, *args, **kwargs):
        if getattr(response, "exception", False):
            request.accepted_renderer = JSONRenderer()
            request.accepted_media_type = JSONRenderer.media_type
        return super().finalize_response(request, response, *args, **kwargs)
