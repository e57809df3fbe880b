"""The one-off step that moves content written before translation into its English
columns, used by the migrations that added the ``_en``/``_es`` columns.

modeltranslation adds the columns empty; the text already stored sits in the
original column (``title``). It is copied into ``title_en``, and the signed copies
of clinically signed content (``signed_version``, see apps.core.signoff) name the
English columns from then on, so a sign-off made before the change still holds.
"""

from django.db import migrations
from django.db.models import F


def _renamed(values: dict, fields: tuple[str, ...]) -> dict:
    return {
        (f"{key}_en" if key in fields else key): value for key, value in values.items()
    }


def move_into_english(
    app_label: str,
    model_fields: dict[str, tuple[str, ...]],
    signed: dict[str, dict[str, str]] | None = None,
):
    """A RunPython operation: for each model, copy each field into its ``_en``
    column; for each signed model, rename those keys in its signed copies (its own
    fields, and its children's, named by related name -> child model)."""

    def forwards(apps, schema_editor):
        for model_name, fields in model_fields.items():
            model = apps.get_model(app_label, model_name)
            model.objects.update(**{f"{field}_en": F(field) for field in fields})
        for model_name, children in (signed or {}).items():
            model = apps.get_model(app_label, model_name)
            fields = model_fields.get(model_name, ())
            for obj in model.objects.exclude(signed_version=None):
                version = obj.signed_version
                version["fields"] = _renamed(version["fields"], fields)
                for related_name, child_model in children.items():
                    child_fields = model_fields.get(child_model, ())
                    version.get("children", {})[related_name] = [
                        _renamed(row, child_fields)
                        for row in version.get("children", {}).get(related_name, [])
                    ]
                model.objects.filter(pk=obj.pk).update(signed_version=version)

    return migrations.RunPython(forwards, migrations.RunPython.noop)
