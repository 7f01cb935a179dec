"""Finding this computer's address on the room's network (``workbook serve --lan``),
with the interfaces played by the tests, and the real machine's where it has one."""

from __future__ import annotations

import ipaddress
import socket
from typing import Any

import pytest

from workbook import network
from workbook.errors import InputError
from workbook.network import NoNetworkError, lan_addresses


def _finders(*answers: list[str]) -> list[Any]:
    return [lambda answer=answer: list(answer) for answer in answers]


def test_the_route_address_comes_first_then_every_other_interface_once() -> None:
    found = lan_addresses(_finders(["192.168.1.23"],  # the default route: the room's Wi-Fi
                                   ["127.0.0.1", "10.8.0.5", "192.168.1.23"],  # every interface
                                   ["127.0.1.1", "10.8.0.5"]))  # the host name (Debian's 127.0.1.1)
    assert found == ["192.168.1.23", "10.8.0.5"]


@pytest.mark.parametrize("useless", ["127.0.0.1", "127.0.1.1", "0.0.0.0", "224.0.0.1", "::1", "fe80::1",
                                     "not an address", ""])
def test_loopback_unspecified_multicast_and_ipv6_are_never_offered(useless: str) -> None:
    assert lan_addresses(_finders([useless], ["172.16.4.2"])) == ["172.16.4.2"]


def test_no_network_at_all_is_one_clear_line() -> None:
    with pytest.raises(NoNetworkError) as raised:
        lan_addresses(_finders(["127.0.0.1"], [], ["127.0.1.1"]))
    assert isinstance(raised.value, InputError)
    message = str(raised.value)
    assert "\n" not in message and "no network address found" in message and "--lan" in message


def test_the_route_probe_sends_nothing_and_asks_every_probe(monkeypatch: pytest.MonkeyPatch) -> None:
    """A UDP connect only picks the route: no packet leaves (send is never called)."""
    asked: list[tuple[str, int]] = []

    class FakeSocket:
        def __init__(self, *_args: Any) -> None:
            self.peer: tuple[str, int] | None = None

        def __enter__(self) -> FakeSocket:
            return self

        def __exit__(self, *_exc: object) -> None:
            return None

        def connect(self, peer: tuple[str, int]) -> None:
            asked.append(peer)
            if peer[0] == "198.51.100.1":
                raise OSError(101, "Network is unreachable")  # no default route (a room without internet)
            self.peer = peer

        def getsockname(self) -> tuple[str, int]:
            return ("192.168.50.7", 40000) if self.peer and self.peer[0].startswith("192.168") else ("0.0.0.0", 0)

        def send(self, *_args: object) -> None:
            raise AssertionError("nothing may be sent")

    monkeypatch.setattr(network.socket, "socket", FakeSocket)
    found = network.route_addresses()
    assert [peer[0] for peer in asked] == list(network.PROBES)
    assert "192.168.50.7" in found and lan_addresses([lambda: found]) == ["192.168.50.7"]


def test_the_hostname_finder_survives_a_name_that_does_not_resolve(monkeypatch: pytest.MonkeyPatch) -> None:
    def fail(*_args: object, **_kwargs: object) -> None:
        raise socket.gaierror(-2, "Name or service not known")

    monkeypatch.setattr(network.socket, "getaddrinfo", fail)
    assert network.hostname_addresses() == []


def test_this_machines_interfaces_are_read_as_ipv4_addresses() -> None:
    """The real finders on this machine: whatever they find is a well-formed IPv4 address."""
    for finder in (network.route_addresses, network.interface_addresses, network.hostname_addresses):
        for address in finder():
            assert ipaddress.ip_address(address).version == 4
    if network.sys.platform.startswith("linux"):
        assert "127.0.0.1" in network.interface_addresses()  # lo is always there on Linux
