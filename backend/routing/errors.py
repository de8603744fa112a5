"""Errors of the routing domain."""

from backend.kit.problems import Conflict, Invalid, NotFound


class RouteNotFound(NotFound):
    title = "Route not found"


class PlanNotFound(NotFound):
    title = "Plan not found"


class NothingToPlan(Invalid):
    type_slug = "nothing-to-plan"
    title = "There is nothing to plan"


class PlanNotPublishable(Conflict):
    type_slug = "plan-not-publishable"
    title = "This plan cannot be published"


class RouteNotWithdrawable(Conflict):
    type_slug = "route-not-withdrawable"
    title = "This route cannot be withdrawn"


class DayUnderWay(Conflict):
    type_slug = "day-under-way"
    title = "This day is under way"


class RouteNotStartable(Conflict):
    type_slug = "route-not-startable"
    title = "This route cannot start"


class StopNotFound(NotFound):
    title = "Stop not found"


class StopNotOpen(Conflict):
    type_slug = "stop-not-open"
    title = "This stop is not open"
