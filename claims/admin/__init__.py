"""The claims admin, where analysts and reviewers work.

Modules: ``claim`` (list and change page), ``moderation`` (buttons, comment page, bulk
actions), ``review_queue``, ``history`` (timeline), ``dashboard`` (index counts),
``source_reader`` (claims in the source reader), ``others`` (entities, evidence, reviews),
``relations`` (relations between claims, similar-claims suggestions).
"""

from django.contrib import admin

from . import claim, others, relations, source_reader, users  # noqa: F401  (registers the admins)

admin.site.site_header = "Claimbase"
admin.site.site_title = "Claimbase admin"
admin.site.index_title = "Claims, sources and evidence"
# No public site beside the admin and the API ("/" leads back here): no "View site" link.
admin.site.site_url = None
# The index shows claim counts by status and verdict (see dashboard.py).
admin.site.index_template = "admin/claims/index.html"
# No navigation sidebar: its 300 px squeezed every list at 1,280 px; the breadcrumbs and
# the index (with "My work") lead everywhere.
admin.site.enable_nav_sidebar = False

# The index lists the domain first (claims, sources, the changes feed), then the rest
# (users, tokens, sign-in lockouts) in Django's alphabetical order.
DOMAIN_APPS = ("claims", "sources", "feed")
_all_apps = admin.site.get_app_list


def _domain_first(request, app_label=None):
    rank = {label: position for position, label in enumerate(DOMAIN_APPS)}
    return sorted(_all_apps(request, app_label), key=lambda app: rank.get(app["app_label"], len(DOMAIN_APPS)))


admin.site.get_app_list = _domain_first
