"""The pure parts: which rule an event sets off, quiet hours across midnight and time zones, the backoff, and
the words (SMS length, HTML escaping)."""

from __future__ import annotations

import random
from datetime import UTC, datetime

import pytest

from backend.notifications.messages import Context, render
from backend.notifications.models import ChannelName, Rule
from backend.notifications.rules import backoff, event_rules, quiet_until

HELSINKI = "Europe/Helsinki"  # UTC+2 in winter


@pytest.mark.parametrize(
    ("event_type", "payload", "rules"),
    [
        ("order.created", {"status": "created"}, [Rule.confirmed]),
        ("order.status_changed", {"from": "created", "to": "planned"}, []),
        ("order.status_changed", {"from": "planned", "to": "out_for_delivery"}, [Rule.out_for_delivery]),
        ("order.status_changed", {"from": "out_for_delivery", "to": "arriving"}, [Rule.arriving]),
        ("order.status_changed", {"from": "arriving", "to": "delivered"}, [Rule.delivered]),
        ("order.status_changed", {"from": "arriving", "to": "failed"}, [Rule.failed]),
        ("order.status_changed", {"from": "at_store", "to": "ready_for_pickup"}, []),  # pickup.ready says it
        ("pickup.ready", {"code": "ABCDEF"}, [Rule.ready_for_pickup]),
        ("pickup.reminder", {"code": "ABCDEF"}, [Rule.pickup_reminder]),
        ("pickup.expiry_warning", {}, [Rule.pickup_reminder]),
        ("pickup.scanned_in", {}, []),
        ("order.updated", {}, []),
    ],
)
def test_each_event_sets_off_its_rule(event_type: str, payload: dict[str, str], rules: list[Rule]) -> None:
    assert event_rules(event_type, payload) == rules


def test_quiet_hours_over_midnight_in_the_organizations_zone() -> None:
    # 21:00-08:00 Helsinki time (UTC+2 on this winter day)
    evening = datetime(2026, 1, 15, 19, 30, tzinfo=UTC)  # 21:30 local
    assert quiet_until(evening, HELSINKI, "21:00", "08:00") == datetime(2026, 1, 16, 6, 0, tzinfo=UTC)
    night = datetime(2026, 1, 16, 1, 0, tzinfo=UTC)  # 03:00 local
    assert quiet_until(night, HELSINKI, "21:00", "08:00") == datetime(2026, 1, 16, 6, 0, tzinfo=UTC)
    assert quiet_until(datetime(2026, 1, 16, 6, 0, tzinfo=UTC), HELSINKI, "21:00", "08:00") is None  # 08:00
    assert quiet_until(datetime(2026, 1, 16, 10, 0, tzinfo=UTC), HELSINKI, "21:00", "08:00") is None
    # a daytime period, a period of zero length, none
    lunch = datetime(2026, 1, 16, 10, 15, tzinfo=UTC)  # 12:15 local
    assert quiet_until(lunch, HELSINKI, "12:00", "13:00") == datetime(2026, 1, 16, 11, 0, tzinfo=UTC)
    assert quiet_until(lunch, HELSINKI, "12:00", "12:00") is None
    assert quiet_until(lunch, HELSINKI, None, None) is None
    # summer time moves the same local hours one UTC hour earlier
    summer = datetime(2026, 7, 1, 19, 0, tzinfo=UTC)  # 22:00 local (UTC+3)
    assert quiet_until(summer, HELSINKI, "21:00", "08:00") == datetime(2026, 7, 2, 5, 0, tzinfo=UTC)


def test_backoff_doubles_with_jitter_and_is_capped() -> None:
    rng = random.Random(1)
    for attempts, base in ((1, 30), (2, 60), (3, 120), (6, 960), (20, 3600)):
        for _ in range(50):
            wait = backoff(attempts, rng).total_seconds()
            assert 0.5 * base <= wait <= 1.5 * base
    assert len({backoff(3, rng) for _ in range(20)}) > 1  # not every message at the same second


def context(**extra: object) -> Context:
    base: dict[str, object] = {
        "sender": "Kamppi Deliveries",
        "recipient_name": "Aino <b>Virtanen</b>",
        "reference": "REF-12345",
        "url": "https://deliveries.example.com/track/0123456789abcdef0123456789abcdef",
    }
    base.update(extra)
    return Context(**base)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("rule", "extra"),
    [
        (Rule.confirmed, {}),
        (Rule.out_for_delivery, {}),
        (Rule.arriving, {"stops_away": 2}),
        (Rule.arriving, {"minutes_away": 7}),
        (Rule.delivered, {}),
        (Rule.failed, {}),
        (Rule.eta_changed, {"eta": "14:35", "previous_eta": "14:05"}),
        (Rule.ready_for_pickup, {"store_name": "Kamppi store", "code": "KXT4PM"}),
        (Rule.pickup_reminder, {"store_name": "Kamppi store", "code": "KXT4PM", "until": "Fri 18:00"}),
    ],
)
def test_every_sms_fits_in_160_characters_with_its_link(rule: Rule, extra: dict[str, object]) -> None:
    sms = render(rule, ChannelName.sms, context(**extra))
    assert len(sms.text) <= 160, (len(sms.text), sms.text)
    assert sms.text.startswith("Kamppi Deliveries: ") and sms.text.endswith(context().url)
    email = render(rule, ChannelName.email, context(**extra))
    assert email.html is not None and "<b>" not in email.html and "Aino &lt;b&gt;Virtanen&lt;/b&gt;" in email.html
    assert "\n" not in email.subject


def test_words_carry_what_each_notice_promises() -> None:
    assert "proof photo" in render(Rule.delivered, ChannelName.sms, context()).text
    assert "new time" in render(Rule.failed, ChannelName.sms, context()).text
    assert "new time on your tracking page" in render(Rule.failed, ChannelName.email, context()).text
    ready = render(Rule.ready_for_pickup, ChannelName.push, context(store_name="Kamppi store", code="KXT4PM")).text
    assert "KXT4PM" in ready and "QR" in ready
    assert "1 stop away" in render(Rule.arriving, ChannelName.sms, context(stops_away=1)).text
    assert (
        "now about 14:35 (was 14:05)"
        in render(Rule.eta_changed, ChannelName.sms, context(eta="14:35", previous_eta="14:05")).text
    )
    assert render(Rule.confirmed, ChannelName.email, context(reference="R\r\nBcc: x")).subject == (
        "We have your order R Bcc: x"
    )
