"""Which URLs tenant webhook endpoints may point at.

Production accepts only ``https``; development also ``http``. Unless the gateway allows private targets, a
URL whose host is (or resolves to) a loopback, private, link-local, multicast, reserved or unspecified
address is refused, so an endpoint cannot make the gateway call into its own network. The check runs when
an endpoint is saved and again before every delivery (names may resolve differently later).
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from dataclasses import dataclass

import httpx

_LOCAL_NAMES = ("localhost", ".localhost", ".local", ".internal", ".localdomain", ".home.arpa")


class TargetRefused(ValueError):
    """A webhook URL the gateway will not call; the message says why."""


@dataclass(frozen=True)
class TargetPolicy:
    """The rules for webhook URLs."""

    require_https: bool
    allow_private: bool

    def parse(self, url: str) -> httpx.URL:
        """The URL if its form is acceptable (scheme, host, no credentials); no name resolution."""
        try:
            parsed = httpx.URL(url)
        except httpx.InvalidURL:
            raise TargetRefused("is not a valid URL") from None
        schemes = ("https",) if self.require_https else ("https", "http")
        if parsed.scheme not in schemes:
            raise TargetRefused(f"must be an absolute {' or '.join(schemes)} URL")
        if not parsed.host:
            raise TargetRefused("must name a host")
        if parsed.userinfo:
            raise TargetRefused("must not carry credentials")
        if parsed.fragment:
            raise TargetRefused("must not have a fragment")
        if not self.allow_private:
            _refuse_local_name(parsed.host)
            literal = _ip_literal(parsed.host)
            if literal is not None:
                _refuse_private(literal)
        return parsed

    async def check(self, url: str) -> httpx.URL:
        """:meth:`parse`, then (unless private targets are allowed) resolve the host: every address it
        resolves to must be public."""
        parsed = self.parse(url)
        if self.allow_private or _ip_literal(parsed.host) is not None:
            return parsed
        loop = asyncio.get_running_loop()
        try:
            infos = await loop.getaddrinfo(parsed.host, parsed.port or 443, type=socket.SOCK_STREAM)
        except (socket.gaierror, UnicodeError):
            raise TargetRefused("host does not resolve") from None
        for info in infos:
            _refuse_private(ipaddress.ip_address(info[4][0]))
        return parsed


def _ip_literal(host: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return None


def _refuse_local_name(host: str) -> None:
    name = host.lower().rstrip(".")
    if name == "localhost" or name.endswith(_LOCAL_NAMES):
        raise TargetRefused("must not point at a local host name")


def _refuse_private(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> None:
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    if not address.is_global or address.is_multicast:
        raise TargetRefused(f"must not point at a private, loopback or reserved address ({address})")
