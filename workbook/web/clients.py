"""Who is asking: the client address and scheme, honouring only trusted proxies.

Without a trusted proxy the client is the TCP peer (``request.remote_ip``)
and headers such as ``X-Forwarded-For`` are ignored: anybody can send them.
Behind a reverse proxy every request comes from the proxy, so all visitors
would share one address (one rate-limit bucket) unless the proxy is named
with ``--trusted-proxy``; then, for requests arriving from it, the client
is the right-most ``X-Forwarded-For`` address that is not itself a trusted
proxy (``X-Real-IP`` if there is no ``X-Forwarded-For``), and the scheme is
``X-Forwarded-Proto``.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Mapping

__all__ = ["Clients"]


def _address(text: str) -> str | None:
    text = text.strip().strip('"')
    if text.startswith("[") and "]" in text:  # [v6]:port
        text = text[1 : text.index("]")]
    elif text.count(":") == 1:  # v4:port
        text = text.split(":", 1)[0]
    try:
        return str(ipaddress.ip_address(text))
    except ValueError:
        return None


class Clients:
    """Resolves the client behind a request, given the proxies to trust."""

    def __init__(self, trusted_proxies: Iterable[str] = ()) -> None:
        networks = []
        for proxy in trusted_proxies:
            networks.append(ipaddress.ip_network(proxy.strip(), strict=False))
        self._trusted = tuple(networks)

    def _is_trusted(self, address: str | None) -> bool:
        if address is None or not self._trusted:
            return False
        ip = ipaddress.ip_address(address)
        return any(ip in network for network in self._trusted)

    def address(self, peer: str, headers: Mapping[str, str]) -> str:
        """The client address to count requests by."""
        peer_address = _address(peer) or peer
        if not self._is_trusted(peer_address):
            return peer_address
        forwarded = [a for a in (_address(part) for part in headers.get("X-Forwarded-For", "").split(",")) if a]
        for address in reversed(forwarded):
            if not self._is_trusted(address):
                return address
        real = _address(headers.get("X-Real-IP", ""))
        return real or (forwarded[0] if forwarded else peer_address)

    def is_https(self, peer: str, scheme: str, headers: Mapping[str, str]) -> bool:
        """Whether the browser's own connection is https (so cookies get ``Secure``)."""
        if scheme == "https":
            return True
        if self._is_trusted(_address(peer)):
            proto = headers.get("X-Forwarded-Proto", "").split(",")[0].strip().lower()
            return proto == "https"
        return False

    def is_forwarded(self, headers: Mapping[str, str]) -> bool:
        """Whether a request came through a proxy (never true of a kernel's own request)."""
        return any(name in headers for name in ("X-Forwarded-For", "X-Real-IP", "Forwarded"))
