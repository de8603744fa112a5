"""The words of each notice, per channel: an e-mail (subject, plain text and HTML), an SMS (one line, under 160
characters where the names allow) and a push notice (title, body, the link a tap opens). Everything a customer
or an office typed is escaped in the HTML."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from html import escape

from backend.notifications.models import ChannelName, Rule

_CONTROL = re.compile(r"[\x00-\x1f\x7f]+")


@dataclass(frozen=True)
class Context:
    """What a notice may mention; times are already in the organization's local time ("14:35")."""

    sender: str
    recipient_name: str
    reference: str
    url: str
    stops_away: int | None = None
    minutes_away: int | None = None
    eta: str | None = None
    previous_eta: str | None = None
    store_name: str | None = None
    code: str | None = None
    until: str | None = None


@dataclass(frozen=True)
class Rendered:
    subject: str
    text: str
    html: str | None
    link: str


def one_line(value: str) -> str:
    return _CONTROL.sub(" ", value).strip()


def _subject(rule: Rule, c: Context) -> str:
    return {
        Rule.confirmed: f"We have your order {c.reference}",
        Rule.out_for_delivery: f"Your order {c.reference} is out for delivery",
        Rule.arriving: "Your driver is close",
        Rule.delivered: f"Your order {c.reference} was delivered",
        Rule.failed: f"We could not deliver your order {c.reference}",
        Rule.eta_changed: f"New delivery time for your order {c.reference}",
        Rule.ready_for_pickup: f"Your order {c.reference} is ready for pickup",
        Rule.pickup_reminder: f"Your order {c.reference} is waiting for you",
    }[rule]


def _sentence(rule: Rule, c: Context) -> str:
    """The message itself, in plain words (e-mail and push); the tracking link follows it."""
    if rule is Rule.confirmed:
        return f"We have your order {c.reference}. You can follow it on your tracking page."
    if rule is Rule.out_for_delivery:
        return f"Your order {c.reference} is out for delivery today."
    if rule is Rule.arriving:
        return _arriving(c)
    if rule is Rule.delivered:
        return f"Your order {c.reference} was delivered. The proof photo is on your tracking page."
    if rule is Rule.failed:
        return f"We could not deliver your order {c.reference}. Choose a new time on your tracking page."
    if rule is Rule.eta_changed:
        return f"Your delivery time changed: now about {c.eta}{_was(c)}."
    if rule is Rule.ready_for_pickup:
        return (
            f"Your order {c.reference} is ready at {c.store_name or 'the store'}. Pickup code {c.code}: "
            "show the QR on your tracking page."
        )
    until = f" until {c.until}" if c.until else ""
    return f"Your order {c.reference} waits at {c.store_name or 'the store'}{until}. Pickup code {c.code}."


def _sms(rule: Rule, c: Context) -> str:
    """The same in as few words: with the sender's name and the link it should fit one SMS (160 characters)."""
    if rule is Rule.confirmed:
        return f"We have your order {c.reference}. Track it:"
    if rule is Rule.out_for_delivery:
        return f"Your order {c.reference} is out for delivery today. Track it:"
    if rule is Rule.arriving:
        return _arriving(c)
    if rule is Rule.delivered:
        return f"Order {c.reference} was delivered. See the proof photo:"
    if rule is Rule.failed:
        return f"We could not deliver order {c.reference}. Pick a new time:"
    if rule is Rule.eta_changed:
        return f"Delivery now about {c.eta}{_was(c)}. Track it:"
    store = c.store_name or "the store"
    if rule is Rule.ready_for_pickup:
        return f"Order {c.reference} is ready at {store}. Code {c.code}, or show the QR:"
    until = f" until {c.until}" if c.until else ""
    return f"Order {c.reference} waits at {store}{until}. Code {c.code}, QR:"


def _arriving(c: Context) -> str:
    if c.stops_away:
        return f"Your driver is {c.stops_away} {'stop' if c.stops_away == 1 else 'stops'} away."
    if c.minutes_away is not None:
        return f"Your driver will be with you in about {max(1, c.minutes_away)} min."
    return "Your driver is on the way to you now."


def _was(c: Context) -> str:
    return f" (was {c.previous_eta})" if c.previous_eta else ""


def _html(rule: Rule, c: Context, sentence: str) -> str:
    link = escape(c.url, quote=True)
    return (
        "<!doctype html>\n"
        '<html><body style="font-family: sans-serif; line-height: 1.5">\n'
        f"<p>Hello {escape(c.recipient_name)},</p>\n"
        f"<p>{escape(sentence)}</p>\n"
        f'<p><a href="{link}">{"Show the QR code" if rule is Rule.ready_for_pickup else "Open your tracking page"}'
        "</a></p>\n"
        f"<p>{escape(c.sender)}</p>\n"
        "</body></html>\n"
    )


def render(rule: Rule, channel: ChannelName, context: Context) -> Rendered:
    c = replace(
        context,
        sender=one_line(context.sender),
        recipient_name=one_line(context.recipient_name),
        reference=one_line(context.reference),
        store_name=one_line(context.store_name) if context.store_name else None,
        code=one_line(context.code) if context.code else None,
    )
    subject = one_line(_subject(rule, c))[:200]
    if channel is ChannelName.sms:
        return Rendered(subject=subject, text=f"{c.sender}: {_sms(rule, c)} {c.url}", html=None, link=c.url)
    sentence = _sentence(rule, c)
    if channel is ChannelName.push:
        return Rendered(subject=c.sender[:200], text=sentence, html=None, link=c.url)
    text = f"Hello {c.recipient_name},\n\n{sentence}\n\n{c.url}\n\n{c.sender}\n"
    return Rendered(subject=subject, text=text, html=_html(rule, c, sentence), link=c.url)
