from django.db import migrations

from apps.accounts.roles import grant_sign_off_permissions


def grant(apps, schema_editor):
    grant_sign_off_permissions(apps, schema_editor, "diseases")


class Migration(migrations.Migration):
    dependencies = [
        ("diseases", "0004_clinical_sign_off"),
        ("accounts", "0002_role_groups"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
