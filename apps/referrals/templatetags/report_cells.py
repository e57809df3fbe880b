from django import template
from django.utils.formats import number_format

from ..report_tables import NO_DATA

register = template.Library()


@register.filter
def report_cell(value) -> str:
    """A report table's cell as text: counts with thousands separators, days to one
    decimal, a missing time as "no data", protected counts as they are; numbers
    written the way the page's language writes them."""
    if value is None:
        return str(NO_DATA)
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int):
        return number_format(value, force_grouping=True)
    if isinstance(value, float):
        return number_format(value, decimal_pos=1, force_grouping=True)
    return str(value)
