"""Webhooks: tenant endpoints, lexoffice callbacks in, unified events out (Standard Webhooks), event log."""

from .resources import NoResources, ResourceFetcher
from .service import Webhooks

__all__ = ["NoResources", "ResourceFetcher", "Webhooks"]
