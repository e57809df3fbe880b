from django.db import migrations

from apps.accounts.roles import grant_content_permissions

# Saved services are patients' personal data: content editors never get them.
PERSONAL_MODELS = ["savedservice"]


def grant(apps, schema_editor):
    # The migration state's app config has no models_module, which
    # grant_content_permissions reads; any true value lets permissions be created.
    app_config = apps.get_app_config("directory")
    if not hasattr(app_config, "models_module"):
        app_config.models_module = True
    grant_content_permissions(apps, schema_editor, "directory")
    group = apps.get_model("auth", "Group").objects.get(name="Content editors")
    group.permissions.remove(
        *apps.get_model("auth", "Permission").objects.filter(
            content_type__app_label="directory",
            content_type__model__in=PERSONAL_MODELS,
        )
    )


class Migration(migrations.Migration):
    dependencies = [
        ("directory", "0003_change_history"),
        ("accounts", "0002_role_groups"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
