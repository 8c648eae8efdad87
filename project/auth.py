"""Token authentication: ``POST /api/v1/auth/token/`` with a username and password; the
answer to a login locked out after too many failures (both logins, through django-axes)."""

from __future__ import annotations

import math

from django.conf import settings
from django.contrib.auth import authenticate
from django.http import HttpResponse, JsonResponse
from axes.backends import AxesStandaloneBackend
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import exceptions, permissions, serializers
from rest_framework.authtoken.models import Token
from rest_framework.response import Response
from rest_framework.views import APIView

from project import routers
from project.api import ErrorSerializer, WriteSerializer, error_responses


class TokenRequestSerializer(WriteSerializer):
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(max_length=4096, trim_whitespace=False, style={"input_type": "password"})


class TokenSerializer(serializers.Serializer):
    token = serializers.CharField(help_text="Send it as `Authorization: Token <token>` or `Authorization: Bearer <token>`.")


class ObtainTokenView(APIView):
    """Exchange a username and password for the user's API token (created on first use)."""

    authentication_classes: list = []
    permission_classes = [permissions.AllowAny]

    @extend_schema(
        summary="Get an API token",
        request=TokenRequestSerializer,
        responses={
            200: TokenSerializer,
            **error_responses(400),
            429: OpenApiResponse(
                ErrorSerializer,
                "`login_locked_out`: too many failed logins for this username or address "
                "(`LOGIN_FAILURE_LIMIT`), the right password included; or `throttled`. Try again "
                "after `Retry-After` seconds.",
            ),
        },
        auth=[],
    )
    def post(self, request):
        data = TokenRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        user = authenticate(request=request._request, **data.validated_data)
        if user is None or not user.is_active:
            raise exceptions.ValidationError({"non_field_errors": ["Unable to log in with these credentials."]})
        token, _ = Token.objects.get_or_create(user=user)
        routers.issued(request._request, f"Token {token.key}")
        return Response({"token": token.key})


def lockout_response(request, original_response=None, credentials=None) -> HttpResponse:
    """429 with ``Retry-After`` (the lockout's length) for a username or address locked out
    after ``LOGIN_FAILURE_LIMIT`` failed logins: JSON in the API's envelope under ``/api/``,
    a short page elsewhere (the admin's login form)."""
    seconds = math.ceil(settings.AXES_COOLOFF_TIME.total_seconds())
    minutes = math.ceil(seconds / 60)
    message = f"Too many failed logins for this username or address; try again in {minutes} minute(s)."
    if request.path.startswith("/api/"):
        response: HttpResponse = JsonResponse({"detail": message, "code": "login_locked_out"}, status=429)
    else:
        response = HttpResponse(message, status=429, content_type="text/plain; charset=utf-8")
    response["Retry-After"] = str(seconds)
    return response


class LoginLimitBackend(AxesStandaloneBackend):
    """django-axes' check before any password is tried, for logins that come with a
    request (the admin's form, the token endpoint). Logins without one (management
    commands, test clients) have no address to limit and are left to the next backend."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)
