import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "project.settings")
application = get_wsgi_application()


def _check_static_manifest() -> None:
    """With ``STATIC_MANIFEST`` on, every page names its static files through the manifest
    ``collectstatic`` writes, and a file missing from it is a 500 on every admin page: the
    server refuses to start instead, saying what to run. (Checked here, where servers
    start, not in the settings: ``collectstatic`` itself runs before the manifest exists.)"""
    from django.conf import settings
    from django.contrib.staticfiles.storage import ManifestFilesMixin, staticfiles_storage
    from django.core.exceptions import ImproperlyConfigured

    if not isinstance(staticfiles_storage, ManifestFilesMixin):
        return
    try:
        staticfiles_storage.stored_name("admin/css/base.css")
    except ValueError:
        raise ImproperlyConfigured(
            f"STATIC_MANIFEST is on, but {settings.STATIC_ROOT} holds no manifest of the static files, or an old "
            "one: run `STATIC_MANIFEST=1 python manage.py collectstatic` (with the setting, so that it writes "
            "the manifest), then start the server."
        ) from None


_check_static_manifest()
