"""Webhooks: tenant endpoints, lexoffice callbacks in, unified events out (Standard Webhooks), event log."""

from .resources import ConnectorResources, ResourceFetcher
from .service import Webhooks

__all__ = ["ConnectorResources", "ResourceFetcher", "Webhooks"]
