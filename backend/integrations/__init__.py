"""Outbound webhooks: per-organization endpoints, signed deliveries from a persistent queue, retries, a log."""
