from __future__ import annotations

from backend.kit.problems import NotFound


class WebhookNotFound(NotFound):
    type_slug = "webhook-not-found"
    title = "No such webhook endpoint"


class DeliveryNotFound(NotFound):
    type_slug = "webhook-delivery-not-found"
    title = "No such webhook delivery"
