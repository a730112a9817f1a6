"""The address of the person at the other end, for login throttling (django-axes).

Behind a reverse proxy every request comes from the proxy's address, so throttling by
REMOTE_ADDR would lock a user out for everybody after five mistakes. The proxies in front of
Huajie are ours and their number is known (HUAJIE_TRUSTED_PROXIES, 0 when Huajie faces the
network itself): each appends the address it saw to X-Forwarded-For, so the client is the
entry that many places from the right. Entries further left were written by the client and
are never trusted.
"""

from __future__ import annotations

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str:
    remote = str(request.META.get("REMOTE_ADDR", ""))
    proxies: int = getattr(settings, "HUAJIE_TRUSTED_PROXIES", 0)
    if proxies <= 0:
        return remote
    forwarded = [
        part.strip()
        for part in str(request.META.get("HTTP_X_FORWARDED_FOR", "")).split(",")
        if part.strip()
    ]
    if len(forwarded) < proxies:
        return remote  # not through all our proxies: the connection's own address
    candidate = forwarded[-proxies]
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return remote
