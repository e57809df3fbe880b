# The site's one date and time format (US English), used wherever a template prints
# a date with |date, |time or plain {{ value }}: "November 26, 2026", "2:30 p.m.".
# A locale format module, because Django's own "en" formats ("Nov. 26, 2026") win
# over the DATE_FORMAT setting whenever localization is on (always, in Django 5).
DATE_FORMAT = "F j, Y"
TIME_FORMAT = "P"
DATETIME_FORMAT = "F j, Y, P"
MONTH_DAY_FORMAT = "F j"
YEAR_MONTH_FORMAT = "F Y"
