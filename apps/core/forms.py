"""Form pieces every app shares."""

from django import forms


def too_long_message(limit: int) -> str:
    return (
        f"Keep this to {limit:,} characters or fewer: it has %(show_value)s. "
        "Nothing was lost: shorten it here and save again."
    )


class CountedTextarea(forms.Textarea):
    """A text area whose length limit shows as a count of the characters left
    (static/js/charcount.js) instead of a maxlength attribute, with which browsers
    silently cut pasted text. Too long a text comes back with the form's
    message and the whole text kept."""

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        widget_attrs = context["widget"]["attrs"]
        limit = widget_attrs.pop("maxlength", None)
        if limit is not None:
            widget_attrs["data-maxlength"] = limit
        return context


class CharacterCountMixin:
    """Every text area of the form shows its count and the plain message."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            if isinstance(field.widget, forms.Textarea) and getattr(
                field, "max_length", None
            ):
                field.widget = CountedTextarea(attrs=field.widget.attrs)
                field.error_messages["max_length"] = too_long_message(field.max_length)
