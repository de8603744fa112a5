"""Errors of the places domain."""

from backend.kit.problems import Conflict, NotFound


class LocationNotFound(NotFound):
    title = "Location not found"


class ZoneNotFound(NotFound):
    title = "Zone not found"


class NameTaken(Conflict):
    type_slug = "name-taken"
    title = "The name is taken in your organization"
