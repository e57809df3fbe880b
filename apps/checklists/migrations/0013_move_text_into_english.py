# The text stored before translation moves into its English columns. A migration
# of its own: rows updated in the migration that adds the columns would stop that
# migration's index creation (PostgreSQL: pending trigger events).

from django.db import migrations

from apps.core.translation_migration import move_into_english


class Migration(migrations.Migration):
    dependencies = [("checklists", "0012_content_in_english_and_spanish")]

    operations = [
        move_into_english(
            "checklists",
            {
                "Stage": ("title", "description", "clinical_mapping"),
                "ChecklistItem": ("title", "guidance", "why_it_matters"),
            },
            signed={"ChecklistItem": {}},
        ),
    ]
