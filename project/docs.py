"""The API's documentation pages: Swagger UI and Redoc, from local files, without inline
script (the Content-Security-Policy allows none)."""

from __future__ import annotations

from django.http import HttpResponse
from drf_spectacular.views import SpectacularRedocView, SpectacularSwaggerSplitView


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
