"""Template tags of the claims admin: the dashboard on the admin index, the editorial
checks' names."""

from __future__ import annotations

from django import template

from ..admin.dashboard import dashboard
from ..checks import LABELS

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



@register.filter
def check_label(code: str) -> str:
    """An editorial check's name for people (its code where it has none: a stored warning
    of a check since renamed)."""
    return LABELS.get(code, code)
