"""HTTP surface of analytics: the KPIs of a period as JSON and as a CSV download (admins and dispatchers)."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from litestar import Controller, Response, get
from litestar.di import NamedDependency
from litestar.params import QueryParameter
from sqlalchemy.ext.asyncio import AsyncSession

from backend.accounts.auth import STAFF, requires
from backend.accounts.principal import Principal
from backend.analytics import export, service
from backend.analytics.schemas import Grouping, KpiReport

FromDay = Annotated[
    date, QueryParameter(name="from", description="First day, YYYY-MM-DD, in the organization's time zone")
]
ToDay = Annotated[
    date | None,
    QueryParameter(
        name="to", description=f"Last day, included (default: `from`); at most {service.MAX_PERIOD_DAYS} days"
    ),
]
By = Annotated[
    Grouping, QueryParameter(name="by", description="One row per day, driver, zone, vehicle profile or carrier")
]


class AnalyticsController(Controller):
    path = "/api/analytics"
    tags = ["analytics"]
    guards = [requires(*STAFF)]

    @get(
        "/kpis",
        operation_id="analytics_kpis",
        summary="Delivery KPIs of a period: totals and one row per group (definitions in the README)",
    )
    async def kpis(
        self,
        db_session: NamedDependency[AsyncSession],
        principal: NamedDependency[Principal],
        from_day: FromDay,
        to_day: ToDay = None,
        by: By = Grouping.day,
    ) -> KpiReport:
        return await service.kpi_report(
            db_session, principal=principal, first_day=from_day, last_day=to_day or from_day, by=by
        )

    @get(
        "/kpis.csv",
        operation_id="analytics_kpis_csv",
        media_type="text/csv",
        summary="The same KPIs as a CSV file: one row per group, then the totals",
    )
    async def kpis_csv(
        self,
        db_session: NamedDependency[AsyncSession],
        principal: NamedDependency[Principal],
        from_day: FromDay,
        to_day: ToDay = None,
        by: By = Grouping.day,
    ) -> Response[str]:
        report = await service.kpi_report(
            db_session, principal=principal, first_day=from_day, last_day=to_day or from_day, by=by
        )
        return Response(
            export.to_csv(report),
            media_type="text/csv; charset=utf-8",
            headers={
                "Content-Disposition": f'attachment; filename="{export.filename(report)}"',
                "Cache-Control": "no-store",
            },
        )
