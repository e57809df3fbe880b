"""One date and time format across the site: "November 26, 2026", "2:30 p.m."."""

import re
from datetime import date, datetime, time
from pathlib import Path

from django.conf import settings
from django.template import Context, Template

# Formats a person reads; machine formats (ISO for datetime attributes and date
# inputs) are fine.
MACHINE_FORMATS = {"c", "Y-m-d", "DATE_FORMAT", "DATETIME_FORMAT", "TIME_FORMAT"}
NAMED_FORMATS = {"YEAR_MONTH_FORMAT", "MONTH_DAY_FORMAT", "SHORT_DATE_FORMAT"}


def render(source: str, **context) -> str:
    return Template(source).render(Context(context))


def test_dates_and_times_read_the_us_way():
    day = date(2026, 11, 26)
    moment = datetime(2026, 11, 26, 14, 30)
    assert render("{{ d|date }}", d=day) == "November 26, 2026"
    assert render("{{ d }}", d=day) == "November 26, 2026"
    assert render("{{ t|time }}", t=time(14, 30)) == "2:30 p.m."
    assert render('{{ m|date:"DATETIME_FORMAT" }}', m=moment) == (
        "November 26, 2026, 2:30 p.m."
    )


def test_no_template_spells_out_its_own_date_format():
    own = []
    for path in Path(settings.BASE_DIR, "templates").rglob("*.html"):
        text = path.read_text()
        for fmt in re.findall(r"\|(?:date|time):[\"']([^\"']+)[\"']", text):
            if fmt not in MACHINE_FORMATS | NAMED_FORMATS:
                own.append(f"{path.name}: {fmt}")
    assert not own, own
