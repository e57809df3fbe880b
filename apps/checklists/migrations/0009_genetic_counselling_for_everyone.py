from django.db import migrations

# Genetic counselling and testing are offered to everyone with ALS, whatever the
# family history (Roggenbuck et al. 2023, PubMed 37691292). Databases seeded
# before that rule hid these steps from people who answered "no": show them.
FOR_EVERYONE = ("talk-to-a-genetic-counselor", "write-down-your-family-history")


def show_to_everyone(apps, schema_editor):
    item_model = apps.get_model("checklists", "ChecklistItem")
    item_model.objects.filter(stage__disease__slug="als", slug__in=FOR_EVERYONE).update(
        only_with_family_history=False
    )


class Migration(migrations.Migration):
    dependencies = [("checklists", "0008_content_editors_edit_item_sources")]

    operations = [migrations.RunPython(show_to_everyone, migrations.RunPython.noop)]
