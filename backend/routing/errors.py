"""Errors of the routing domain."""

from backend.kit.problems import NotFound


class RouteNotFound(NotFound):
    title = "Route not found"
