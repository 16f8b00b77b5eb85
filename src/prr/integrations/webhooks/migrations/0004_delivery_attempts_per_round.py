from django.db import migrations
from django.db.models import F


def split_rounds(apps, schema_editor):
    """Attempts in the current round are attempts in all less those before the round; a
    delivery with attempts before its round was retried by hand at least once."""
    Delivery = apps.get_model("webhooks", "Delivery")
    Delivery.objects.update(attempts=F("attempts_in_all") - F("round_start"))
    Delivery.objects.filter(round_start__gt=0).update(round=2)


def merge_rounds(apps, schema_editor):
    Delivery = apps.get_model("webhooks", "Delivery")
    Delivery.objects.update(round_start=F("attempts_in_all") - F("attempts"))


class Migration(migrations.Migration):

    dependencies = [
        ('webhooks', '0003_delivery_outbox_round'),
    ]

    operations = [
        migrations.RunPython(split_rounds, merge_rounds),
    ]
