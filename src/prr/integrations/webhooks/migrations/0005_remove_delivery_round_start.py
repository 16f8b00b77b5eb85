from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('webhooks', '0004_delivery_attempts_per_round'),
    ]

    operations = [
        migrations.RemoveField(
            model_name='delivery',
            name='round_start',
        ),
    ]
