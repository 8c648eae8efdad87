"""How API requests say who sends them: a token, under either scheme that names one, or a
session. An ``Authorization`` header in any other scheme is refused, never read as no
credentials at all."""

from __future__ import annotations

from rest_framework import authentication, exceptions

# The schemes of ``Authorization`` that carry an API token, in lower case: DRF's own
# ("Token") and OAuth's ("Bearer"), which OpenAPI client generators send by default.
TOKEN_SCHEMES = ("token", "bearer")
# The scheme of HTTP's own authentication, which a proxy in front of the site (a staging
# server behind a password) asks browsers for and they then send on every request: it
# names no caller of the API, whose session or token decides as if it were not there.
PROXY_SCHEMES = ("basic",)


class TokenAuthentication(authentication.TokenAuthentication):
    """``Authorization: Token <key>`` or ``Authorization: Bearer <key>``, the same tokens.

    A header of another scheme (a misspelt ``Tokn``, ``JWT``) is a 401
    ``authentication_failed`` naming the schemes understood: DRF's own class passes over
    it, and the caller, who believes it sent credentials, got the anonymous view (a draft
    404, a write "not provided") without a word. An empty header is no credentials, and so
    is ``Basic`` (``PROXY_SCHEMES``): a site behind a password-asking proxy would otherwise
    answer its own admin pages' requests, and every public read, with 401s. A ``Basic``
    beside a token (two headers, joined) leaves the token to decide: it had been dropped with
    the ``Basic``, and the caller read as anonymous."""

    def authenticate(self, request):
        parts = _words_without_proxy_credentials(authentication.get_authorization_header(request))
        if not parts:
            return None
        scheme = parts[0].decode("latin-1").lower()
        if scheme not in TOKEN_SCHEMES:
            raise exceptions.AuthenticationFailed(
                "The Authorization header's scheme is not one this API reads: "
                "send `Authorization: Token <key>` or `Authorization: Bearer <key>`."
            )
        if len(parts) != 2:
            raise exceptions.AuthenticationFailed(
                "Invalid token header: give the scheme, one space and the token, nothing else."
            )
        try:
            key = parts[1].decode()
        except UnicodeError as error:
            raise exceptions.AuthenticationFailed("Invalid token header: the token holds characters no token has.") from error
        return self.authenticate_credentials(key)

    def authenticate_header(self, request):
        return "Token, Bearer"


def _words_without_proxy_credentials(header: bytes) -> list[bytes]:
    """The header's words, its ``Basic`` credentials left out. Two ``Authorization``
    headers reach the app as one, joined by a comma (gunicorn, as HTTP allows for lists): a
    proxy's ``Basic`` beside the caller's token. A Basic credential (base64) holds no comma."""
    kept = []
    for item in header.split(b","):
        words = item.split()
        if not (words and words[0].decode("latin-1").lower() in PROXY_SCHEMES):
            kept.append(item)
    return b",".join(kept).split()


def api_credential(authorization: str) -> str:
    """What of an ``Authorization`` header names the API's caller: the header without its
    ``Basic`` credentials (a proxy's), its words joined by a space; empty when nothing is
    left (the session decides)."""
    return b" ".join(_words_without_proxy_credentials(authorization.encode("latin-1", "replace"))).decode("latin-1")
