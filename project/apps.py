import axes.apps
from django.apps import AppConfig
from django.db.backends.signals import connection_created


class ProjectConfig(AppConfig):
    name = "project"

    def ready(self) -> None:
        from .admin import every_change_list_lenient
        from .routers import watch_replica_reads
        from .timestamps import use_iso_loader

        connection_created.connect(use_iso_loader, dispatch_uid="project_iso_timestamps")
        connection_created.connect(watch_replica_reads, dispatch_uid="project_replica_reads")
        # The admin has discovered every app's admin (its own ``ready`` ran first).
        every_change_list_lenient()


class SignInLockoutsConfig(axes.apps.AppConfig):
    """django-axes, named in the admin for what it keeps: the sign-in failures that lock a
    user name or an address out for a while (its own name, "Axes", says nothing)."""

    # Named in INSTALLED_APPS. Not a candidate for the ``project`` app's own configuration:
    # Django picks a module's configuration by itself only when it holds one candidate.
    default = False
    verbose_name = "Sign-in lockouts"
