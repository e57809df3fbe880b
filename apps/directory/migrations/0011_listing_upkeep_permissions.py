from django.db import migrations

from apps.accounts.roles import grant_content_permissions

# Saved services are patients' personal data: content editors never get them.
PERSONAL_MODELS = ["savedservice"]


def grant(apps, schema_editor):
    """Content editors moderate providers' proposals and verification requests."""
    grant_content_permissions(apps, schema_editor, "directory")
    group = apps.get_model("auth", "Group").objects.get(name="Content editors")
    group.permissions.remove(
        *apps.get_model("auth", "Permission").objects.filter(
            content_type__app_label="directory",
            content_type__model__in=PERSONAL_MODELS,
        )
    )


class Migration(migrations.Migration):
    dependencies = [("directory", "0010_listing_upkeep")]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
