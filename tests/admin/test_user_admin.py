"""The users' admin shows roles, and says when a role cannot sign in to the admin."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group, User

from .helpers import messages_of

pytestmark = pytest.mark.django_db


def test_the_user_list_shows_each_users_roles(client_for, superuser, analyst, reviewer):
    response = client_for(superuser).get("/admin/auth/user/")
    html = response.content.decode()
    assert response.status_code == 200
    assert '<td class="field-roles">Analysts</td>' in html and '<td class="field-roles">Reviewers</td>' in html


def test_a_role_without_staff_status_is_pointed_out_when_saved(client_for, superuser):
    newcomer = User.objects.create_user("newcomer", password="pw-newcomer-123")
    client = client_for(superuser)
    page = client.get(f"/admin/auth/user/{newcomer.pk}/change/")
    data = {
        "username": "newcomer", "first_name": "", "last_name": "", "email": "", "is_active": "on",
        "groups": [Group.objects.get(name="Analysts").pk], "last_login_0": "", "last_login_1": "",
        "date_joined_0": "2026-12-05", "date_joined_1": "10:00:00",
    }
    assert page.status_code == 200
    response = client.post(f"/admin/auth/user/{newcomer.pk}/change/", data, follow=True)
    assert any("newcomer is in Analysts but cannot sign in to the admin" in text for text in messages_of(response))
    data["is_staff"] = "on"
    response = client.post(f"/admin/auth/user/{newcomer.pk}/change/", data, follow=True)
    assert not any("cannot sign in" in text for text in messages_of(response))
