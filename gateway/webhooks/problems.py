"""The problem types of the webhook routes (besides the gateway's generic ones)."""

from __future__ import annotations

from ..problems import ProblemType

SIGNATURE_INVALID = ProblemType("webhook-signature-invalid", "Webhook signature missing or invalid", 401)
REPLAYED = ProblemType("webhook-replayed", "Webhook callback already received", 409)
EXPIRED = ProblemType("webhook-expired", "Webhook callback too old", 422)
NOT_CONFIGURED = ProblemType("webhooks-not-configured", "Inbound webhooks not configured", 503)
WEBHOOK_PROBLEM_TYPES = (SIGNATURE_INVALID, REPLAYED, EXPIRED, NOT_CONFIGURED)
