from django.db import migrations

from apps.accounts.roles import CONTENT_EDITORS_GROUP

# The models added with item sources; content editors edit them in the admin.
SOURCE_MODELS = ("checklistitemreference", "checklistitemreferenceevent")


def grant(apps, schema_editor):
    from django.contrib.auth.management import create_permissions

    app_config = apps.get_app_config("checklists")
    # A migration's app config has no models_module, which create_permissions
    # checks before creating anything; any true value lets it proceed.
    if not getattr(app_config, "models_module", None):
        app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    group_model = apps.get_model("auth", "Group")
    permission_model = apps.get_model("auth", "Permission")
    group, _ = group_model.objects.get_or_create(name=CONTENT_EDITORS_GROUP)
    group.permissions.add(
        *permission_model.objects.filter(
            content_type__app_label="checklists",
            content_type__model__in=SOURCE_MODELS,
        )
    )


class Migration(migrations.Migration):
    dependencies = [
        ("checklists", "0007_checklistitem_references"),
        ("accounts", "0002_role_groups"),
    ]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
