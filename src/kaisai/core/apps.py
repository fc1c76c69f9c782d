from django.apps import AppConfig
from django.db.models.signals import post_migrate


def sync_site(using: str = "default", **kwargs) -> None:
    """django.contrib.sites' Site follows KAISAI_SITE_NAME and KAISAI_BASE_URL (allauth and
    the admin read it): never the "example.com" the sites migration creates."""
    from django.apps import apps
    from django.conf import settings

    if not apps.is_installed("django.contrib.sites"):
        return
    from django.contrib.sites.models import Site

    from kaisai.core.site import site_domain

    Site.objects.using(using).update_or_create(
        pk=settings.SITE_ID,
        defaults={"domain": site_domain(), "name": settings.KAISAI_SITE_NAME},
    )


class CoreConfig(AppConfig):
    name = "kaisai.core"
    label = "core"

    def ready(self) -> None:
        post_migrate.connect(sync_site, dispatch_uid="kaisai.core.sync_site")

        from kaisai.core import db_health

        db_health.connect()  # the connection's health check only after a pause

        from kaisai.core import db_timestamps

        db_timestamps.connect()  # timestamps read by psycopg's C loader

        from django.db.models.signals import post_delete

        from kaisai.core.images import discard_files_of_deleted, models_with_files

        # A deleted row's uploaded files go with it, cascades included.
        for model in models_with_files():
            post_delete.connect(
                discard_files_of_deleted, sender=model, dispatch_uid=f"kaisai.images.{model}"
            )
