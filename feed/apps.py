from django.apps import AppConfig


class FeedConfig(AppConfig):
    name = "feed"
    verbose_name = "Changes feed and webhooks"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # The claims' own receivers (re-anchored spans bump versions) must run before ours,
        # which read the bumped versions: import them first, then connect ours.
        from claims import services  # noqa: F401

        from . import recording  # noqa: F401
