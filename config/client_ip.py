"""The client's IP address, from a configured number of trusted reverse proxies.

Each proxy appends the address it received the request from to X-Forwarded-For. With
`TRUSTED_PROXIES` = n, REMOTE_ADDR is the last proxy, and the client is the address the
outermost trusted proxy saw: the n-th entry from the right of X-Forwarded-For. Anything
further left was sent by the client and is never believed (a forged first hop used to land
in the access log). Every candidate is parsed with `ipaddress`: garbage ("unknown",
"1.2.3.4:80" from a proxy that appends ports is handled) gives None, never an exception.
"""

from __future__ import annotations

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def clean_ip(value: str | None) -> str | None:
    """A normalised address, or None. Accepts "[v6]:port" and "v4:port" as proxies write them."""
    if not value:
        return None
    candidate = value.strip()
    if candidate.startswith("[") and "]" in candidate:
        candidate = candidate[1 : candidate.index("]")]
    elif candidate.count(":") == 1:  # IPv4 with a port; a bare IPv6 has several colons
        candidate = candidate.split(":", 1)[0]
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return None


def client_ip(request: HttpRequest) -> str | None:
    peer = request.META.get("REMOTE_ADDR")
    trusted = settings.TRUSTED_PROXIES
    if trusted <= 0:
        return clean_ip(peer)
    forwarded = [hop.strip() for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if hop.strip()]
    hops = [*forwarded, peer or ""]
    # hops[-1] is the nearest proxy; each trusted proxy vouches for the hop before it.
    # With fewer hops than proxies the request skipped one: take the leftmost, which a
    # trusted proxy still wrote.
    return clean_ip(hops[-(trusted + 1)] if len(hops) > trusted else hops[0])
