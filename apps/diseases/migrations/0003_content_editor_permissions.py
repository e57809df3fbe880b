from django.db import migrations

from apps.accounts.roles import grant_content_permissions


def grant(apps, schema_editor):
    # The migration state's app config has no models_module, which
    # grant_content_permissions reads; any true value lets permissions be created.
    app_config = apps.get_app_config("diseases")
    if not hasattr(app_config, "models_module"):
        app_config.models_module = True
    grant_content_permissions(apps, schema_editor, "diseases")


class Migration(migrations.Migration):
    dependencies = [
        ("diseases", "0002_search_history_review"),
        ("accounts", "0002_role_groups"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
