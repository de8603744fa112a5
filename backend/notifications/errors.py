"""Errors of the notifications domain."""

from backend.kit.problems import Conflict, Invalid, NotFound


class NotificationNotFound(NotFound):
    type_slug = "notification-not-found"
    title = "Notification not found"


class NotRetryable(Conflict):
    type_slug = "notification-not-retryable"
    title = "Only a failed or skipped notification can be sent again"


class InvalidNotificationSettings(Invalid):
    type_slug = "invalid-notification-settings"
    title = "These notification settings cannot be used"


class InvalidPushSubscription(Invalid):
    type_slug = "invalid-push-subscription"
    title = "This push subscription cannot be used"


class TooManyPushSubscriptions(Conflict):
    type_slug = "too-many-push-subscriptions"
    title = "This order has as many push subscriptions as it may"


class PushSubscriptionNotFound(NotFound):
    type_slug = "push-subscription-not-found"
    title = "No such push subscription for this order"
