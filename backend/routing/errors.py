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


class RouteNotLive(Conflict):
    type_slug = "route-not-live"
    title = "This route is not live"


class StopNotMovable(Conflict):
    type_slug = "stop-not-movable"
    title = "This stop cannot move to another route"


class StopDoesNotFit(Conflict):
    type_slug = "stop-does-not-fit"
    title = "The stop does not fit on that route"


class SameRoute(Invalid):
    type_slug = "same-route"
    title = "The stop is already on this route"
