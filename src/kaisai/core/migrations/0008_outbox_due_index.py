"""The worker reads due mail in (next_attempt_at, id) order: with id in the index the next
chunk is read from it instead of sorting every pending row (docs/mail-delivery.md)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0007_bulk_mail"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="outboxmail",
            index=models.Index(fields=["state", "next_attempt_at", "id"], name="outbox_due"),
        ),
        migrations.RemoveIndex(
            model_name="outboxmail",
            name="core_outbox_state_bc9c8b_idx",
        ),
    ]
