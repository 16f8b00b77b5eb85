"""Who is at the other end of a request: the client address, through trusted proxies only.

Behind a reverse proxy every request comes from the proxy's address, so the client's is read
from `X-Forwarded-For`; but anyone can send that header, so it is believed only when the
request comes from a proxy named in `PRR_TRUSTED_PROXIES` (addresses or networks). The client
is then the right-most address in the header that is not itself a trusted proxy: each proxy
appends the address it saw, and only what trusted proxies appended can be relied on. With no
trusted proxy (the default), the client is `REMOTE_ADDR`, whatever the headers say.
"""

from __future__ import annotations

import ipaddress

from django.conf import settings
from django.http import HttpRequest

from prr.config import IPNetwork, as_network


def _is_trusted(address: str, networks: list[IPNetwork]) -> bool:
    try:
        ip = ipaddress.ip_address(address.strip().strip("[]"))
    except ValueError:
        return False
    return any(ip in network for network in networks)


def client_ip(request: HttpRequest) -> str:
    """The address of the client that sent this request (see the module docstring)."""
    remote = str(request.META.get("REMOTE_ADDR") or "")
    # Networks (from the environment) or their text (set by hand): either is read.
    trusted = [n for n in (as_network(str(e)) for e in settings.TRUSTED_PROXIES) if n]
    if not trusted or not _is_trusted(remote, trusted):
        return remote
    forwarded = [
        hop.strip() for hop in str(request.META.get("HTTP_X_FORWARDED_FOR", "")).split(",")
    ]
    for hop in reversed([hop for hop in forwarded if hop]):
        if not _is_trusted(hop, trusted):
            try:
                return str(ipaddress.ip_address(hop.strip("[]")))
            except ValueError:
                # Not an address (a forged or broken header): the last trusted hop is the
                # client as far as prr can tell.
                return remote
    return remote
