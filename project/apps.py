from django.apps import AppConfig
from django.db.backends.signals import connection_created


class ProjectConfig(AppConfig):
    name = "project"

    def ready(self) -> None:
        from .admin import every_change_list_lenient
        from .timestamps import use_iso_loader

        connection_created.connect(use_iso_loader, dispatch_uid="project_iso_timestamps")
        # The admin has discovered every app's admin (its own ``ready`` ran first).
        every_change_list_lenient()
