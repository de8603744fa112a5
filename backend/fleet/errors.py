"""Errors of the fleet domain."""

from backend.kit.problems import Conflict, Invalid, NotFound


class VehicleNotFound(NotFound):
    title = "Vehicle not found"


class VehicleNameTaken(Conflict):
    type_slug = "name-taken"
    title = "The vehicle name is taken in your organization"


class BadAssignment(Invalid):
    type_slug = "bad-assignment"
    title = "Driver or depot cannot be assigned"
