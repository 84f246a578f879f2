"""Thin controllers: parse, call a service, shape the response."""
