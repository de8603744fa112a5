"""The KPI report as CSV: one row per group, then the totals, in the JSON's field names."""

from __future__ import annotations

import csv
import io

from backend.analytics.schemas import KpiReport, Kpis
from backend.kit.spreadsheet import text_cell

FIGURES = Kpis.__struct_fields__
COLUMNS = ("key", "label", *FIGURES)
TOTAL_LABEL = "Total"


def number_cell(value: float | None) -> str:
    return "" if value is None else str(value)


def to_csv(report: KpiReport) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for group in report.groups:
        writer.writerow([text_cell(group.key), text_cell(group.label), *_figures(group)])
    writer.writerow(["", TOTAL_LABEL, *_figures(report.totals)])
    return out.getvalue()


def filename(report: KpiReport) -> str:
    return f"doorstep-kpis-{report.from_date.isoformat()}-to-{report.to_date.isoformat()}-by-{report.by.value}.csv"


def _figures(kpis: Kpis) -> list[str]:
    return [number_cell(getattr(kpis, name)) for name in FIGURES]
