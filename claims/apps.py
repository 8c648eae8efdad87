from django.apps import AppConfig


class ClaimsConfig(AppConfig):
    name = "claims"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Connects the receivers that flag claims whose evidence was re-anchored, and
        # published claims that contradict each other.
        from . import relation_services, services  # noqa: F401
