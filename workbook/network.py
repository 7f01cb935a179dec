"""This computer's addresses on the room's network, for ``workbook serve --lan``.

In a workshop room the people's phones and laptops must reach the
consultant's laptop, so links must carry an address they can reach, never
127.0.0.1.  The address is found here without sending anything and without
running ``ip`` or ``ifconfig`` (absent on some systems, localised on others):

* **the route's address** - "connecting" a UDP socket sends no packet, but
  makes the system choose the source address it would use towards a network:
  the default route (the room's Wi-Fi or cable), then each private range, so
  a room network without internet access is found too;
* **every interface's address** (Linux: ``SIOCGIFADDR`` for each name of
  ``socket.if_nameindex``), so a laptop on two networks lists both;
* **the host name's addresses** (``getaddrinfo``), where the above cannot be read.

Loopback, unspecified and multicast addresses are dropped; the route's
address comes first (it is where people most likely are).  IPv4 only: a
phone typing a link or scanning a card does best with a short address.
"""

from __future__ import annotations

import contextlib
import ipaddress
import socket
import struct
import sys
from collections.abc import Callable, Iterable

from workbook.errors import InputError

__all__ = ["NoNetworkError", "lan_addresses"]

#: Destinations whose route tells the source address; nothing is ever sent to them.
#: The first is TEST-NET-2 (RFC 5737: never a real host) through the default route;
#: the others reach a room network that has no default route.
PROBES = ("198.51.100.1", "10.255.255.254", "172.31.255.254", "192.168.255.254")
#: Linux ioctl: the IPv4 address of a named interface.
_SIOCGIFADDR = 0x8915


class NoNetworkError(InputError):
    """No address other machines could reach this one at."""


def _usable(address: str) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return ip.version == 4 and not (ip.is_loopback or ip.is_unspecified or ip.is_multicast)


def route_addresses(probes: Iterable[str] = PROBES) -> list[str]:
    """The source address the system would use towards each probe (no packet is sent)."""
    found = []
    for probe in probes:
        with contextlib.suppress(OSError), socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as udp:
            udp.connect((probe, 9))
            found.append(str(udp.getsockname()[0]))
    return found


def interface_addresses() -> list[str]:
    """Every interface's IPv4 address (Linux; elsewhere nothing)."""
    if not sys.platform.startswith("linux"):
        return []
    import fcntl

    found = []
    with contextlib.suppress(OSError), socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        for _index, name in socket.if_nameindex():
            request = struct.pack("256s", name.encode()[:15])
            with contextlib.suppress(OSError):  # an interface without an IPv4 address
                answer = fcntl.ioctl(probe.fileno(), _SIOCGIFADDR, request)
                found.append(socket.inet_ntoa(answer[20:24]))
    return found


def hostname_addresses() -> list[str]:
    """The IPv4 addresses the host name resolves to (often only 127.0.1.1)."""
    with contextlib.suppress(OSError, UnicodeError):
        infos = socket.getaddrinfo(socket.gethostname(), None, socket.AF_INET, socket.SOCK_STREAM)
        return [str(info[4][0]) for info in infos]
    return []


Finder = Callable[[], list[str]]


def lan_addresses(finders: Iterable[Finder] | None = None) -> list[str]:
    """This computer's reachable IPv4 addresses, most likely first, each once.

    ``finders`` (tests): where to look instead of the route, the interfaces
    and the host name.  Raises :class:`NoNetworkError` when there is none.
    """
    if finders is None:
        finders = (route_addresses, interface_addresses, hostname_addresses)
    addresses: list[str] = []
    for finder in finders:
        for address in finder():
            if _usable(address) and address not in addresses:
                addresses.append(address)
    if not addresses:
        raise NoNetworkError("no network address found: connect this computer to the room's network "
                             "(Wi-Fi or cable), or leave out --lan to serve this computer only")
    return addresses
