from django.apps import AppConfig
from django.db.backends.signals import connection_created


class ProjectConfig(AppConfig):
    name = "project"

    def ready(self) -> None:
        from .timestamps import use_iso_loader

        connection_created.connect(use_iso_loader, dispatch_uid="project_iso_timestamps")
