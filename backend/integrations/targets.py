"""Where a webhook may be sent: an http(s) URL without credentials, and (unless private targets are allowed, as
in development) a host that resolves only to public addresses, checked again at every attempt so a DNS change
cannot turn an endpoint against the server's own network (SSRF)."""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from urllib.parse import urlsplit

MAX_URL = 2048


def url_problem(url: str, *, allow_private: bool) -> str | None:
    """Why this URL cannot be a webhook endpoint, or None."""
    if len(url) > MAX_URL:
        return f"at most {MAX_URL} characters"
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        return f"not a URL ({exc})"
    if parts.scheme not in ("https", "http"):
        return "must start with https:// (http:// only for a server on this machine in development)"
    if not parts.hostname:
        return "has no host"
    if parts.username or parts.password:
        return "must not carry a user name or password; the signature authenticates Doorstep"
    if parts.fragment:
        return "must not have a #fragment"
    if port == 0:
        return "has port 0"
    if parts.scheme == "http" and not allow_private:
        return "must use https://"
    if not allow_private and _literal_private(parts.hostname):
        return "points at a private or local address"
    return None


def _literal_private(host: str) -> bool:
    if host.lower() in ("localhost", "localhost.localdomain") or host.lower().endswith(".localhost"):
        return True
    try:
        return not ipaddress.ip_address(host.strip("[]")).is_global
    except ValueError:
        return False  # a name: checked when it is resolved, at each attempt


async def public_target(url: str) -> str | None:
    """Why sending to this URL now would reach a non-public address, or None (resolves the host)."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if _literal_private(host):
        return "the host is a private or local address"
    try:
        infos = await asyncio.get_running_loop().getaddrinfo(host, parts.port or 443, type=socket.SOCK_STREAM)
    except OSError as exc:
        return f"the host does not resolve ({exc.strerror or exc})"
    for info in infos:
        address = ipaddress.ip_address(str(info[4][0]).split("%")[0])
        if not address.is_global:
            return f"the host resolves to a private or local address ({address})"
    return None
