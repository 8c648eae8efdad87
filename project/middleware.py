"""Request handling shared by every page."""

from __future__ import annotations

import logging

from csp.utils import build_policy
from django.conf import settings
from django.db import OperationalError
from django.http import HttpResponse, HttpResponsePermanentRedirect, JsonResponse
from django.middleware.common import CommonMiddleware
from django.shortcuts import render
from django.utils.cache import patch_vary_headers
from django.utils.http import escape_leading_slashes

from .errors import StorageFull, no_room

logger = logging.getLogger(__name__)

BUSY_RETRY_AFTER = 5
BUSY_BODY = {
    "detail": "The database is busy with another write (an import, say); nothing was changed. Try again shortly.",
    "code": "database_busy",
}


def database_busy(exc: Exception) -> bool:
    """SQLite's answer when another connection held the write lock past the busy timeout: a
    temporary condition (503), not a bug (500)."""
    return isinstance(exc, OperationalError) and "database is locked" in str(exc)


def _answer(request, body: dict, status: int):
    if request.path.startswith("/api/"):
        return JsonResponse(body, status=status)
    return HttpResponse(body["detail"], status=status, content_type="text/plain; charset=utf-8")


class TemporaryFailureMiddleware:
    """Conditions of the server that pass, answered as such rather than as a bug (500):
    JSON in the API's envelope under ``/api/``, text elsewhere (the admin). API views reach
    it too: DRF's exception handler (``project.api``) leaves unknown exceptions alone. The
    failed request's transaction has rolled back, so nothing of it was kept.

    - SQLite lets one connection write at a time; a writer that waited past the busy
      timeout (an import holds the lock until it commits) gets 503 with ``Retry-After``.
    - A full disk gets 507 (Insufficient Storage), logged for the administrators: no file
      is left half written (``project.storage``), and no source without its original."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if database_busy(exception):
            response = _answer(request, BUSY_BODY, 503)
            response["Retry-After"] = str(BUSY_RETRY_AFTER)
            return response
        if no_room(exception):
            logger.error("No room left to store a file: %r", exception, exc_info=exception)
            full = StorageFull()
            return _answer(request, full.as_dict(), full.status_code)
        return None


class RequestBodyLimitMiddleware:
    """A body larger than ``MAX_BODY_MB`` is refused with 413 (JSON under ``/api/``, text on
    the admin's pages) before any of it is read, on every path (an upload's file over
    ``MAX_SOURCE_MB``: 400 ``too_large``, as its handler says of one found so while read); one sent in chunks without
    a ``Content-Length`` with 411, since Django reads a body up to its length and would
    read it as empty, and one that has both with 400. (Django's own limit, ``DATA_UPLOAD_MAX_MEMORY_SIZE``, is set to the
    same size for the form parsers.)"""

    def __init__(self, get_response):
        self.get_response = get_response

    # Sources uploaded as files have their own, larger limit (MAX_SOURCE_MB): their handler
    # streams the file to disk and stops at that limit (sources/uploads.py).
    UPLOAD_PATHS = frozenset({"/api/v1/sources/", "/admin/sources/source/add/from-file/"})

    def __call__(self, request):
        limit, setting, upload = settings.DATA_UPLOAD_MAX_MEMORY_SIZE, "MAX_BODY_MB", False
        if request.method == "POST" and request.path in self.UPLOAD_PATHS and request.content_type == "multipart/form-data":
            from sources.uploads import upload_body_limit

            if upload_body_limit() > limit:
                limit, setting, upload = upload_body_limit(), "MAX_SOURCE_MB, and room for the form around the file", True
        if "HTTP_TRANSFER_ENCODING" in request.META and not request.META.get("CONTENT_LENGTH"):
            # Django reads a body up to its Content-Length: a chunked one would be read as
            # empty ("No file was submitted", "This field is required").
            body = {
                "detail": "The request body was sent in chunks (Transfer-Encoding) without a Content-Length; "
                "send it with its length.",
                "code": "length_required",
            }
            return _answer(request, body, 411)
        if request.META.get("HTTP_TRANSFER_ENCODING", "").strip().lower() not in ("", "identity"):
            # Both: HTTP has the coding win (RFC 9112), and a server that reads the length
            # (Django's development server) took the chunks' framing for the body's bytes,
            # storing "3e8" lines inside a file's text. gunicorn refuses such a request too.
            body = {
                "detail": "The request has both Transfer-Encoding and Content-Length, which HTTP does not allow "
                "together: send it with Content-Length alone.",
                "code": "invalid",
            }
            return _answer(request, body, 400)
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            return JsonResponse({"detail": "Content-Length is not a number.", "code": "invalid"}, status=400)
        if upload and length > limit:
            # The file is over MAX_SOURCE_MB, however far: the 400 an upload's handler gives
            # one found too large while it is read (``too_large``), not a 413 of the request.
            from sources.ingestion import too_large_error

            if not request.path.startswith("/api/"):
                # The admin's page answers with its form and the refusal (its view reads
                # nothing of the body): a bare text page had lost the form.
                request.upload_too_large = too_large_error()
                return self.get_response(request)
            return _answer(request, too_large_error().as_dict(), 400)
        if limit is not None and length > limit:
            body = {
                "detail": f"The request body is {length:,} bytes; the limit is {limit:,} bytes ({setting}).",
                "code": "request_too_large",
                "limit_bytes": limit,
            }
            return _answer(request, body, 413)  # JSON for the API, text for the admin's pages
        return self.get_response(request)


class ContentEncodingRefusedMiddleware:
    """A request body sent with a content coding (``Content-Encoding: gzip``, ``br``...) is
    refused with 415, on every path: nothing here decodes request bodies, and reading the
    compressed bytes as JSON or a form would fail obscurely, or succeed on the wrong bytes
    (a body labelled gzip that is not was read as plain JSON). ``identity`` is no coding."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        coding = request.META.get("HTTP_CONTENT_ENCODING", "").strip().lower()
        has_body = request.META.get("CONTENT_LENGTH") not in (None, "", "0") or "HTTP_TRANSFER_ENCODING" in request.META
        if coding and coding != "identity" and has_body:
            body = {
                "detail": f"Request bodies are not decoded: send it without Content-Encoding (not {coding[:40]!r}).",
                "code": "unsupported_content_encoding",
            }
            response = _answer(request, body, 415)
            response["Accept-Encoding"] = "identity"  # what a request body may use (RFC 7694)
            return response
        return self.get_response(request)


class NulInQueryRefusedMiddleware:
    """A query string with a NUL character (``%00``) is a 400: no parameter of this site
    takes one, and PostgreSQL refuses NUL in text, so a filter passing it on would fail
    inside the database (a 500) instead."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        for key, values in request.GET.lists():
            if "\x00" in key or any("\x00" in value for value in values):
                name = key.replace("\x00", "\\0")
                message = "Contains a NUL character (%00)."
                if request.path.startswith("/api/"):
                    body = {"detail": f"{name}: {message}", "code": "invalid", "errors": {name: [message]}}
                    return JsonResponse(body, status=400)
                # The site's error page (in the admin's look), not bare text; answered
                # before the CSP middleware sees the response, so with its policy here.
                response = render(request, "400.html", {"problem": f"{name}: {message}"}, status=400)
                response["Content-Security-Policy"] = build_policy()
                return response
        return self.get_response(request)


class ApiVaryMiddleware:
    """Every API answer depends on who asks (staff see drafts, the editorial checks, the
    contributors): ``Vary: Authorization, Cookie``, so that no cache hands one caller's
    answer to another."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if request.path.startswith("/api/"):
            patch_vary_headers(response, ("Authorization", "Cookie"))
        return response


class AppendSlashMiddleware(CommonMiddleware):
    """Django's ``CommonMiddleware`` (``APPEND_SLASH``), except for how an address written
    without its trailing slash is redirected to the one with it: a GET or HEAD by a 301, as
    Django does; any other method by a 308, which keeps the method and the body. Clients
    re-send a POST redirected by a 301 as a GET: the write was lost without a word, and
    python-requests ended on the list with a 200. (Django's own middleware raises instead
    under ``DEBUG``.) Under ``/api/`` the redirect says so in the API's envelope, naming the
    address to use."""

    def get_full_path_with_slash(self, request):
        return escape_leading_slashes(request.get_full_path(force_append_slash=True))

    def process_response(self, request, response):
        if response.status_code == 404 and self.should_redirect_with_slash(request):
            return slash_redirect(request, self.get_full_path_with_slash(request))
        return super().process_response(request, response)


def slash_redirect(request, location: str) -> HttpResponsePermanentRedirect:
    """The redirect of ``request`` to ``location``, its address with the trailing slash."""
    keeps_request = request.method not in ("GET", "HEAD")
    response = HttpResponsePermanentRedirect(location, preserve_request=keeps_request)
    if request.path.startswith("/api/"):
        address = request.build_absolute_uri(location)
        body = {
            "detail": f"This address ends with a slash: {address}"
            + (" (the request was redirected there as it was sent; use that address)." if keeps_request else "."),
            "code": "trailing_slash",
            "location": address,
        }
        response.content = JsonResponse(body).content
        response["Content-Type"] = "application/json"
    return response
