from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "kaisai.core"
    label = "core"

    def ready(self) -> None:
        from django.db.models.signals import post_delete

        from kaisai.core.images import discard_files_of_deleted, models_with_files

        # A deleted row's uploaded files go with it, cascades included.
        for model in models_with_files():
            post_delete.connect(
                discard_files_of_deleted, sender=model, dispatch_uid=f"kaisai.images.{model}"
            )
