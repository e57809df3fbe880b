from django.db import migrations

from apps.accounts.roles import CONTENT_EDITORS_GROUP, grant_content_permissions

# Each patient's own progress and stage choice: never for content editors.
PERSONAL_MODELS = ("itemprogress", "patientstage")


def grant(apps, schema_editor):
    # The migration state's app config has no models_module, which
    # grant_content_permissions reads; any true value lets permissions be created.
    app_config = apps.get_app_config("checklists")
    if not hasattr(app_config, "models_module"):
        app_config.models_module = True
    grant_content_permissions(apps, schema_editor, "checklists")
    group_model = apps.get_model("auth", "Group")
    permission_model = apps.get_model("auth", "Permission")
    group = group_model.objects.get(name=CONTENT_EDITORS_GROUP)
    group.permissions.remove(
        *permission_model.objects.filter(
            content_type__app_label="checklists",
            content_type__model__in=PERSONAL_MODELS,
        )
    )


class Migration(migrations.Migration):
    dependencies = [
        ("checklists", "0003_content_history"),
        ("accounts", "0002_role_groups"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
