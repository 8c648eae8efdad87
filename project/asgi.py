import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "project.settings")
application = get_asgi_application()

from project.static_manifest import check_static_manifest  # noqa: E402 - once Django is set up

check_static_manifest()
