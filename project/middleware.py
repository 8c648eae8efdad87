"""Request handling shared by every page."""

from __future__ import annotations

from django.http import HttpResponse, JsonResponse

from .api import BUSY_BODY, BUSY_RETRY_AFTER, database_busy


class DatabaseBusyMiddleware:
    """SQLite lets one connection write at a time; a writer that waited past the busy timeout
    (an import holds the lock until it commits) gets 503 with ``Retry-After``, not a 500.
    The API's own exception handler answers its views the same way."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not database_busy(exception):
            return None
        if request.path.startswith("/api/"):
            response = JsonResponse(BUSY_BODY, status=503)
        else:
            response = HttpResponse(BUSY_BODY["detail"], status=503, content_type="text/plain; charset=utf-8")
        response["Retry-After"] = str(BUSY_RETRY_AFTER)
        return response
