"""Template tags of the claims admin: the dashboard on the admin index."""

from __future__ import annotations

from django import template

from ..admin.dashboard import dashboard

register = template.Library()


@register.inclusion_tag("admin/claims/dashboard.html", takes_context=True)
def claims_dashboard(context) -> dict:
    """Counts by status and verdict for people who may see claims; nothing for others."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.has_perm("claims.view_claim"):
        return {"dashboard": None}
    return {"dashboard": dashboard(user)}


@register.inclusion_tag("admin/date_hierarchy.html")
def claims_date_hierarchy(cl) -> dict:
    """The claim list's date drill-down, from MIN/MAX instead of a scan of every row."""
    from ..admin.date_hierarchy import calendar_date_hierarchy

    return calendar_date_hierarchy(cl)

