"""The names of the live channels (ARCHITECTURE.md, "Live channels and the websocket protocol")."""

from __future__ import annotations


def org_channel(organization_id: object) -> str:
    """Dispatchers: every event of the organization, and every driver's position (throttled)."""
    return f"org:{organization_id}"


def driver_channel(driver_id: object) -> str:
    """One driver: changes to their route, ETAs."""
    return f"driver:{driver_id}"


def order_channel(order_id: object) -> str:
    """One customer's tracking page: status, ETA, and the driver's position only while theirs is the next stop."""
    return f"order:{order_id}"
