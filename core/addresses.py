"""The client's address, as far as it can be trusted.

``REMOTE_ADDR`` is the peer that opened the connection. ``X-Forwarded-For`` is written by
whoever sent the request, so it is read only when that peer is one of ``TRUSTED_PROXIES``
(addresses or networks, from the environment; none by default): the list is then walked from
the right, past every trusted proxy, and the first address no proxy of ours vouches for is the
client. Anything a client wrote further left is ignored, so a forged header changes nothing.

The servers must hand the peer through untouched: uvicorn runs with ``--no-proxy-headers``
(by default it rewrites the peer from the header for any connection from 127.0.0.1).

One function for everything that keys on the address: django-axes
(``AXES_CLIENT_IP_CALLABLE``), the login throttle and the audit log.
"""

import ipaddress
from functools import lru_cache

from django.conf import settings


@lru_cache(maxsize=8)
def _networks(proxies: tuple[str, ...]) -> tuple:
    return tuple(ipaddress.ip_network(p.strip(), strict=False) for p in proxies if p.strip())


def _parse(value: str | None):
    try:
        return ipaddress.ip_address((value or "").strip())
    except ValueError:
        return None


def is_trusted_proxy(address, networks=None) -> bool:
    networks = _networks(tuple(settings.TRUSTED_PROXIES)) if networks is None else networks
    return address is not None and any(address in net for net in networks)


def client_ip(request) -> str | None:
    """The address of the client that sent ``request`` (a Django or DRF request), or None."""
    if request is None:
        return None
    meta = request.META
    peer = _parse(meta.get("REMOTE_ADDR"))
    if peer is None:
        return None
    networks = _networks(tuple(settings.TRUSTED_PROXIES))
    if not networks or not is_trusted_proxy(peer, networks):
        return str(peer)
    client = peer
    for hop in reversed(meta.get("HTTP_X_FORWARDED_FOR", "").split(",")):
        address = _parse(hop)
        if address is None:
            break  # garbage from the client's side of the chain: stop at the last proxy's word
        client = address
        if not is_trusted_proxy(address, networks):
            break
    return str(client)
