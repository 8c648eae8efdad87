from django.apps import AppConfig


class ClaimsConfig(AppConfig):
    name = "claims"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Connects the receivers that flag claims whose evidence was re-anchored, and
        # published claims that contradict each other, and that refresh the editorial checks
        # of the claims citing a saved source.
        from . import editorial, relation_services, services  # noqa: F401
