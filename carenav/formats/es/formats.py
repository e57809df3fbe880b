# The site's one date and time format in Spanish, the counterpart of en/formats.py:
# "26 de noviembre de 2026", "14:30". Numbers keep the decimal point and thousands
# comma that Spanish speakers in the United States read every day (as in Mexico),
# not the "1.234,5" of Spain.
DATE_FORMAT = r"j \d\e F \d\e Y"
TIME_FORMAT = "H:i"
DATETIME_FORMAT = r"j \d\e F \d\e Y, H:i"
MONTH_DAY_FORMAT = r"j \d\e F"
YEAR_MONTH_FORMAT = r"F \d\e Y"
DECIMAL_SEPARATOR = "."
THOUSAND_SEPARATOR = ","
NUMBER_GROUPING = 3
