"""A report's table as CSV, for the download: cells that a spreadsheet would run
as a formula are written as text."""

import csv
import io

from .report_tables import Table

# Spreadsheet programs run a cell starting with one of these as a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _csv_value(cell) -> str:
    if cell is None:
        return ""
    text = str(cell)
    if isinstance(cell, str) and text.startswith(FORMULA_STARTS):
        return "'" + text
    return text


def table_csv(table: Table) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(table.columns)
    for row in table.rows:
        writer.writerow([_csv_value(cell) for cell in row])
    return out.getvalue()
