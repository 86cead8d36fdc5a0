"""Webhooks: subscriptions to candidate events, and the worker that delivers them signed."""
