from django.db import migrations, models

from apps.directory.stored_card import STORED_CARD_SQL

# The cards of the services already listed (later, refresh_search_index keeps them).
FILL_CARDS = f"UPDATE directory_service s SET card = {STORED_CARD_SQL}"  # nosec B608


class Migration(migrations.Migration):
    dependencies = [
        ("directory", "0016_service_places"),
    ]

    operations = [
        migrations.AddField(
            model_name="service",
            name="card",
            field=models.JSONField(blank=True, default=dict, editable=False),
        ),
        # Not bound by the web's statement timeout: 100,000 services take longer.
        migrations.RunSQL(
            ["SET LOCAL statement_timeout = 0", FILL_CARDS], migrations.RunSQL.noop
        ),
    ]
