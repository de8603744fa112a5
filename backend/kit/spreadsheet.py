"""Text cells in the CSV files Doorstep writes, safe to open in a spreadsheet.

A spreadsheet runs a cell that starts with one of FORMULA_STARTS as a formula (=HYPERLINK(...) typed as a driver's
or a location's name); such text gets a leading apostrophe, which spreadsheets show as plain text (OWASP's CSV
injection advice). Files Doorstep reads back (the stock export) take the apostrophe off again with `read_text`."""

from __future__ import annotations

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def text_cell(value: str | None) -> str:
    if value is None:
        return ""
    return "'" + value if value.startswith(FORMULA_STARTS) else value


def read_text(cell: str) -> str:
    """The text a `text_cell` stood for: only an apostrophe that guards a formula start is taken off."""
    return cell[1:] if cell.startswith("'") and cell[1:].startswith(FORMULA_STARTS) else cell
