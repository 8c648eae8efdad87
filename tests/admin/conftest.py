"""Fixtures for the admin tests: logged-in clients and a view-only staff user."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Permission, User
from django.test import Client


@pytest.fixture
def client_for():
    """A test client logged in as ``user``."""

    def make(user: User) -> Client:
        client = Client()
        client.force_login(user)
        return client

    return make


@pytest.fixture
def viewer(db) -> User:
    """Staff who may look at everything and change nothing."""
    user = User.objects.create_user(username="viewer", password="pw-viewer", is_staff=True)
    user.user_permissions.set(Permission.objects.filter(codename__startswith="view_"))
    return user
