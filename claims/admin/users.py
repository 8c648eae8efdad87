"""The users' admin, with their roles in sight.

Roles are groups (``claims.roles``), and the admin lets in only staff: a person put in
Analysts without "Staff status" could not sign in, and the sign-in page blamed their
password. The list shows each user's roles and staff status, and saving a role without
staff status says what is missing (an account for the API alone needs none, so it is not
granted silently).
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import GroupAdmin, UserAdmin
from django.contrib.auth.models import Group

from project.admin import HostileInputSafeAdmin

from ..roles import ANALYSTS, REVIEWERS

User = get_user_model()
ROLES = (ANALYSTS, REVIEWERS)


admin.site.unregister(User)
admin.site.unregister(Group)


@admin.register(Group)
class SafeGroupAdmin(HostileInputSafeAdmin, GroupAdmin):
    """Django's, with its permissions refused by name when they are no id (one past 2**63 was
    a 500 on SQLite)."""


@admin.register(User)
class RolesUserAdmin(HostileInputSafeAdmin, UserAdmin):
    list_display = ("username", "email", "roles", "is_staff", "is_superuser", "is_active", "last_login")
    list_filter = ("groups", "is_staff", "is_superuser", "is_active")

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("groups")

    @admin.display(description="roles")
    def roles(self, user) -> str:
        names = [group.name for group in user.groups.all() if group.name in ROLES]
        return ", ".join(names) or "—"

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        user = form.instance
        roles = [name for name in ROLES if user.groups.filter(name=name).exists()]
        if roles and not user.is_staff and user.is_active:
            messages.warning(
                request,
                f"{user.get_username()} is in {' and '.join(roles)} but cannot sign in to the admin: tick "
                "“Staff status” to let them (the API's token works without it).",
            )
