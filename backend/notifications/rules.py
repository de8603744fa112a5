"""Which notice an order event calls for, when a notice may go out (quiet hours, still relevant), and how long
to wait before trying a failed one again. Pure: no database, no network."""

from __future__ import annotations

import random
from collections.abc import Mapping
from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from backend.notifications.models import ChannelName, Rule

# Notices that are worthless late: inside quiet hours they are skipped, not held until morning.
TIME_SENSITIVE = frozenset({Rule.out_for_delivery, Rule.arriving, Rule.eta_changed})
# ...and once this old (retries, a stopped sender) they are skipped too: "your driver is close" an hour later lies
TIME_SENSITIVE_TTL = timedelta(minutes=30)
# the order statuses in which each notice still tells the truth when it is about to be sent
STILL_TRUE: Mapping[Rule, frozenset[str]] = {
    Rule.out_for_delivery: frozenset({"out_for_delivery", "arriving"}),
    Rule.arriving: frozenset({"out_for_delivery", "arriving"}),
    Rule.eta_changed: frozenset({"out_for_delivery", "arriving"}),
    Rule.ready_for_pickup: frozenset({"ready_for_pickup"}),
    Rule.pickup_reminder: frozenset({"ready_for_pickup"}),
}
# the customer-facing kinds; return orders (a collection, or an expired pickup going back) tell nobody
NOTIFIED_KINDS = frozenset({"delivery", "store_pickup"})

DEFAULT_RULES: dict[str, list[str]] = {rule.value: [c.value for c in ChannelName] for rule in Rule}
DEFAULT_ARRIVING_STOPS_AWAY = 1
DEFAULT_ETA_CHANGE_MIN = 15

MAX_ATTEMPTS = 6  # then `failed` for good; a dispatcher may retry it by hand
BACKOFF_BASE_S = 30.0
BACKOFF_CAP_S = 3600.0

STATUS_RULES: Mapping[str, Rule] = {
    "out_for_delivery": Rule.out_for_delivery,
    "arriving": Rule.arriving,
    "delivered": Rule.delivered,
    "failed": Rule.failed,
}


def event_rules(event_type: str, payload: Mapping[str, Any]) -> list[Rule]:
    """The rules an event sets off by its type alone (arriving by stops away needs the route: see service).

    `confirmed` is `order.created` (not `planned`: a customer hears once that the order exists, while planning
    may move it between days). `ready_for_pickup` is `pickup.ready`, which carries the code, rather than the
    status change that comes in the same transaction."""
    if event_type == "order.created":
        return [Rule.confirmed]
    if event_type == "order.status_changed":
        rule = STATUS_RULES.get(str(payload.get("to")))
        return [rule] if rule is not None else []
    if event_type == "pickup.ready":
        return [Rule.ready_for_pickup]
    if event_type in ("pickup.reminder", "pickup.expiry_warning"):
        return [Rule.pickup_reminder]
    return []


def parse_clock(value: str) -> time:
    """ "21:30" → time(21, 30); ValueError otherwise."""
    hours, _, minutes = value.partition(":")
    if len(hours) != 2 or len(minutes) != 2 or not (hours + minutes).isdigit():
        raise ValueError(f"{value!r} is not HH:MM")
    return time(int(hours), int(minutes))


def quiet_until(now: datetime, zone: str, start: str | None, end: str | None) -> datetime | None:
    """When the quiet hours that `now` falls in end (UTC), or None outside them. A period may run over
    midnight (21:00-08:00); start == end means no quiet hours."""
    if not start or not end:
        return None
    begin, finish = parse_clock(start), parse_clock(end)
    if begin == finish:
        return None
    tz = ZoneInfo(zone)
    local = now.astimezone(tz)
    clock = local.time().replace(second=0, microsecond=0, tzinfo=None)
    if begin < finish:
        inside = begin <= clock < finish
        end_day = local.date()
    else:
        inside = clock >= begin or clock < finish
        end_day = local.date() + timedelta(days=1) if clock >= begin else local.date()
    if not inside:
        return None
    return datetime.combine(end_day, finish, tzinfo=tz).astimezone(now.tzinfo)


def still_true(rule: Rule, order_status: str) -> bool:
    allowed = STILL_TRUE.get(rule)
    return allowed is None or order_status in allowed


def backoff(attempts: int, rng: random.Random | None = None) -> timedelta:
    """The wait after the `attempts`-th failure: doubling from 30 s, capped at an hour, with jitter (0.5x-1.5x)
    so a provider's outage does not end in every message retried at the same second."""
    base = min(BACKOFF_CAP_S, BACKOFF_BASE_S * 2 ** max(0, attempts - 1))
    return timedelta(seconds=base * (0.5 + (rng or random).random()))
