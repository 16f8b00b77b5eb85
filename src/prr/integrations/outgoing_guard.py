"""Where prr may send: no loopback, private, link-local, multicast or reserved address.

Webhook URLs and a channel's `notify_url` are given by users; without this guard prr would
post to whatever they name inside its own network (an admin port on 127.0.0.1, a cloud
metadata service on 169.254.169.254). A URL is checked when it is saved (`check_url`, a clear
refusal) and again when it is used: `opener()` resolves the host itself, checks every address
and connects to one it checked, so a DNS answer that changes between the check and the
connection (rebinding) cannot swap in a forbidden address. TLS still verifies the certificate
against the URL's host name (SNI), since only the socket's address is chosen here.

An admin lets some or all such destinations through: `PRR_OUTGOING_ALLOW_PRIVATE=true` (a
lab, a closed network) or `PRR_OUTGOING_ALLOW`, a comma-separated list of host names and
addresses or networks (`mattermost.internal`, `10.20.0.0/16`).
"""

from __future__ import annotations

import http.client
import ipaddress
import os
import socket
import urllib.request
from functools import lru_cache
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings

from prr.config import ConfigError, IPNetwork, as_network
from prr.errors import InvalidInput

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

HOW_TO_ALLOW = (
    "a prr admin can allow it with PRR_OUTGOING_ALLOW (host names, addresses or networks) or "
    "PRR_OUTGOING_ALLOW_PRIVATE=true"
)


class BlockedDestination(OSError):
    """The destination is an address prr does not send to; the message says which and why.

    An OSError, so every HTTP client reports it as a failed connection, never a crash.
    """


def env_allow(name: str) -> list[str]:
    """PRR_OUTGOING_ALLOW: host names and IP networks, each checked so a typo is refused."""
    entries = [part.strip().lower() for part in os.environ.get(name, "").split(",")]
    for entry in filter(None, entries):
        if as_network(entry) is None and not _is_host_name(entry):
            raise ConfigError(
                f"{name}: {entry!r} is neither a host name nor an IP address or network "
                "(such as mattermost.internal, 10.0.0.5 or 10.20.0.0/16)"
            )
    return [entry for entry in entries if entry]


def _is_host_name(entry: str) -> bool:
    labels = entry.rstrip(".").split(".")
    return (
        all(
            label and len(label) <= 63 and label.replace("-", "").replace("_", "").isalnum()
            for label in labels
        )
        and entry.isascii()
    )


@lru_cache(maxsize=8)
def _allowance(entries: tuple[str, ...]) -> tuple[frozenset[str], tuple[IPNetwork, ...]]:
    networks = tuple(n for n in map(as_network, entries) if n is not None)
    hosts = frozenset(e.rstrip(".") for e in entries if as_network(e) is None)
    return hosts, networks


def _allowed_entries() -> tuple[frozenset[str], tuple[IPNetwork, ...]]:
    return _allowance(tuple(getattr(settings, "OUTGOING_ALLOW", ())))


def forbidden_kind(address: IPAddress) -> str | None:
    """What kind of address prr does not send to this is ("loopback", …), or None."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    if address.is_loopback:
        return "loopback"
    if address.is_link_local:
        return "link-local"
    if address.is_multicast:
        return "multicast"
    if address.is_unspecified:
        return "unspecified"
    if address.is_reserved:
        return "reserved"
    if address.is_private:
        return "private"
    if not address.is_global:
        return "reserved"  # shared (100.64.0.0/10), documentation, benchmarking ranges
    return None


def refusal(host: str, address: IPAddress | None = None) -> str | None:
    """Why prr will not send to `host` (resolved to `address`), or None when it may."""
    if settings.OUTGOING_ALLOW_PRIVATE:
        return None
    hosts, networks = _allowed_entries()
    name = host.lower().rstrip(".")
    if name in hosts:
        return None
    if address is None:
        literal = as_network(name)
        if literal is not None and literal.num_addresses == 1:
            address = literal.network_address
        elif name == "localhost" or name.endswith(".localhost"):
            return f"{host} is a loopback name: prr does not send to its own host; {HOW_TO_ALLOW}"
        else:
            return None
    if any(address in network for network in networks):
        return None
    kind = forbidden_kind(address)
    if kind is None:
        return None
    shown = host if host == str(address) else f"{host} ({address})"
    return (
        f"{shown} is a {kind} address: prr does not send to loopback, private, link-local, "
        f"multicast or reserved addresses; {HOW_TO_ALLOW}"
    )


def check_url(url: str) -> None:
    """Refuse (InvalidInput) a URL whose host is, or resolves only to, a forbidden address.

    A host that does not resolve now is accepted: it is checked again at every send.
    """
    host = urlsplit(url).hostname or ""
    why = refusal(host)
    if why is None and as_network(host) is None and not _is_allowed_host(host):
        addresses = _resolve(host, 443)
        reasons = [refusal(host, address) for address in addresses]
        if reasons and all(reasons):
            why = reasons[0]
    if why is not None:
        raise InvalidInput(f"'{url}' cannot be used: {why}.")


def check_url_now(url: str) -> None:
    """Raise BlockedDestination unless every address the URL's host resolves to is allowed.

    For a client prr cannot connect for (slack_sdk): the host is resolved again by the client.
    """
    parts = urlsplit(url)
    host = parts.hostname or ""
    why = refusal(host)
    if why is None and not _is_allowed_host(host):
        port = parts.port or (443 if parts.scheme == "https" else 80)
        why = next(filter(None, (refusal(host, a) for a in _resolve(host, port))), None)
    if why is not None:
        raise BlockedDestination(why)


def _is_allowed_host(host: str) -> bool:
    return (
        bool(settings.OUTGOING_ALLOW_PRIVATE) or host.lower().rstrip(".") in _allowed_entries()[0]
    )


def _resolve(host: str, port: int) -> list[IPAddress]:
    try:
        found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError):
        return []
    return [ipaddress.ip_address(str(info[4][0]).split("%")[0]) for info in found]


def create_connection(
    address: tuple[str, int],
    timeout: float | None = None,
    source_address: tuple[str, int] | None = None,
) -> socket.socket:
    """socket.create_connection to one of the host's addresses that passed the check."""
    host, port = address
    try:
        found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except UnicodeError as exc:
        raise OSError(f"{host}: not a usable host name ({exc})") from None
    last_error: OSError | None = None
    for family, kind, proto, _, sockaddr in found:
        checked = ipaddress.ip_address(str(sockaddr[0]).split("%")[0])
        why = refusal(host, checked)
        if why is not None:
            last_error = BlockedDestination(why)
            continue
        sock = socket.socket(family, kind, proto)
        try:
            if timeout is not None:
                sock.settimeout(timeout)
            if source_address:
                sock.bind(source_address)
            sock.connect(sockaddr)  # the address checked, not a new lookup
            return sock
        except OSError as exc:
            sock.close()
            last_error = exc
    raise last_error or OSError(f"{host}: the name resolves to no address")


class _GuardedHTTPConnection(http.client.HTTPConnection):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._create_connection = create_connection


class _GuardedHTTPSConnection(http.client.HTTPSConnection):
    # HTTPSConnection wraps the socket with server_hostname=self.host: SNI and the
    # certificate's name check stay those of the URL.
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._create_connection = create_connection


class GuardedHTTPHandler(urllib.request.HTTPHandler):
    def http_open(self, req: urllib.request.Request) -> http.client.HTTPResponse:
        return self.do_open(_GuardedHTTPConnection, req)


class GuardedHTTPSHandler(urllib.request.HTTPSHandler):
    def https_open(self, req: urllib.request.Request) -> http.client.HTTPResponse:
        return self.do_open(_GuardedHTTPSConnection, req, context=self._context)  # type: ignore[attr-defined]


def opener(
    *handlers: urllib.request.BaseHandler | type[urllib.request.BaseHandler],
) -> urllib.request.OpenerDirector:
    """A urllib opener whose every connection (redirects included) goes through the guard."""
    return urllib.request.build_opener(GuardedHTTPHandler, GuardedHTTPSHandler, *handlers)
