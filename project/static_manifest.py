"""``STATIC_MANIFEST``: a server refuses to start without the manifest its pages need."""

from __future__ import annotations


def check_static_manifest() -> None:
    """With ``STATIC_MANIFEST`` on, every page names its static files through the manifest
    ``collectstatic`` writes, and a file missing from it is a 500 on every page naming it:
    the server refuses to start instead, saying what to run, when any static file of the
    project or its apps is missing from it (a manifest written without the setting, or by
    an earlier release: the webhooks' pages had failed alone). Called where servers start
    (``wsgi``, ``asgi``), not in the settings: ``collectstatic`` itself runs before the
    manifest exists."""
    from django.conf import settings
    from django.contrib.staticfiles import finders
    from django.contrib.staticfiles.storage import ManifestFilesMixin, staticfiles_storage
    from django.core.exceptions import ImproperlyConfigured

    if not isinstance(staticfiles_storage, ManifestFilesMixin):
        return
    missing = []
    for finder in finders.get_finders():
        for path, _storage in finder.list(["CVS", ".*", "*~"]):
            try:
                staticfiles_storage.stored_name(path)
            except ValueError:
                missing.append(path)
    if missing:
        raise ImproperlyConfigured(
            f"STATIC_MANIFEST is on, but {settings.STATIC_ROOT} holds no manifest of the static files, or an old "
            f"one ({len(missing)} of them missing from it, {missing[0]} among them): run `STATIC_MANIFEST=1 python "
            "manage.py collectstatic` (with the setting, so that it writes the manifest), then start the server."
        )
