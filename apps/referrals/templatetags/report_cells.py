from django import template

register = template.Library()


@register.filter
def report_cell(value) -> str:
    """A report table's cell as text: counts with thousands separators, days to one
    decimal, a missing time as "no data", protected counts as they are."""
    if value is None:
        return "no data"
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        return f"{value:,.1f}"
    return str(value)
