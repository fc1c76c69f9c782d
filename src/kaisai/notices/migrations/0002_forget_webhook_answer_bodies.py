"""Deliveries recorded before the SSRF guard kept up to 500 characters of the receiver's answer
in last_error ("HTTP 500: <body>"), shown on the webhook page; keep only the status."""

from django.db import migrations


def forget_bodies(apps, schema_editor):
    delivery_model = apps.get_model("notices", "WebhookDelivery")
    for delivery in delivery_model.objects.filter(last_error__startswith="HTTP ").only(
        "pk", "last_error"
    ):
        status = delivery.last_error.split(":", 1)[0]
        if status != delivery.last_error:
            delivery_model.objects.filter(pk=delivery.pk).update(last_error=status)


class Migration(migrations.Migration):
    dependencies = [("notices", "0001_initial")]

    operations = [migrations.RunPython(forget_bodies, migrations.RunPython.noop)]
