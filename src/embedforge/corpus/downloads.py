"""Download one manifest URL safely: https only, public addresses only, every redirect re-checked, capped.

A manifest is untrusted input: its URL (or a redirect it answers with) could point
at plain http, at this machine (``127.0.0.1``, ``localhost``), at a private network
(``10.x``, ``192.168.x``) or at a cloud metadata endpoint (link-local
``169.254.169.254``). :func:`download` follows redirects itself, one hop at a time,
and before each hop checks the scheme and every address the host name resolves to
(with langchain-core's SSRF-safe transport, when installed, the connection is also
pinned to the checked address, closing the DNS-rebinding gap). ``allow_hosts``
exempts host names, exactly as written in a URL, from the address rule, for tests
against a local server; the CLI never sets it.
"""

from __future__ import annotations

import ipaddress
import logging
import socket
from collections.abc import Collection
from typing import Any
from urllib.parse import urljoin, urlsplit

from embedforge.errors import EmbedforgeError

log = logging.getLogger(__name__)

MAX_REDIRECTS = 5


def check_url(url: str, *, allow_http: bool = False, allow_hosts: Collection[str] = ()) -> None:
    """Refuse a URL that is not https (http with ``allow_http``) or whose host is not a public address.

    Raises:
        EmbedforgeError: the scheme, a missing host, a host that does not resolve, or a
            loopback/private/link-local/reserved address.
    """
    parts = urlsplit(url)
    if parts.scheme != "https" and not (allow_http and parts.scheme == "http"):
        hint = "; pass --allow-http to permit plain http" if parts.scheme == "http" else ""
        raise EmbedforgeError(f"{url}: only https URLs are fetched{hint}")
    host = parts.hostname
    if not host:
        raise EmbedforgeError(f"{url}: no host name in the URL; fix the manifest")
    if host in allow_hosts:
        return
    for address in _addresses(url, host, parts.port or (443 if parts.scheme == "https" else 80)):
        if not address.is_global or address.is_multicast:
            raise EmbedforgeError(f"{url}: {host} is a loopback, private or link-local address ({address}); "
                                  "manifests may only fetch from public hosts")


def _addresses(url: str, host: str, port: int) -> list[ipaddress.IPv4Address | ipaddress.IPv6Address]:
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        raise EmbedforgeError(
            f"{url}: cannot resolve {host} ({exc.strerror}); check the URL and the network") from exc
    found = []
    for *_, sockaddr in infos:
        address = ipaddress.ip_address(str(sockaddr[0]).split("%")[0])
        if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
            address = address.ipv4_mapped
        found.append(address)
    return found


def download(url: str, *, allow_http: bool = False, allow_hosts: Collection[str] = (), max_bytes: int,
             timeout_s: float = 60.0) -> bytes:
    """The body at ``url``, following up to :data:`MAX_REDIRECTS` redirects, each one checked first.

    Raises:
        EmbedforgeError: a refused URL (see :func:`check_url`), too many redirects, an HTTP error,
            a body over ``max_bytes``, or a network failure.
    """
    import httpx

    current = url
    with httpx.Client(transport=_transport(allow_hosts), follow_redirects=False, timeout=timeout_s) as client:
        for _ in range(MAX_REDIRECTS + 1):
            check_url(current, allow_http=allow_http, allow_hosts=allow_hosts)
            with client.stream("GET", current) as response:
                if response.is_redirect and "location" in response.headers:
                    target = urljoin(current, response.headers["location"])
                    log.info("%s: redirected to %s", current, target)
                    current = target
                    continue
                if response.status_code != 200:
                    raise EmbedforgeError(
                        f"{url}: HTTP {response.status_code}; check the URL or fetch it by hand")
                return _read_capped(url, response, max_bytes)
    raise EmbedforgeError(f"{url}: more than {MAX_REDIRECTS} redirects; check the URL")


def _read_capped(url: str, response: Any, max_bytes: int) -> bytes:
    too_big = f"{url}: larger than {max_bytes / 2**20:g} MiB; raise the size cap if expected"
    declared = response.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > max_bytes:
        raise EmbedforgeError(too_big)
    body = bytearray()
    for block in response.iter_bytes():
        body += block
        if len(body) > max_bytes:
            raise EmbedforgeError(too_big)
    return bytes(body)


def _transport(allow_hosts: Collection[str]) -> Any:
    """langchain-core's transport that pins each connection to the address it checked, when available."""
    if allow_hosts:  # a test against a local server: the check above is the only one
        return None
    try:
        from langchain_core._security import SSRFPolicy, SSRFSafeSyncTransport
    except ImportError:  # older langchain-core: the address check above still runs before each hop
        return None
    return SSRFSafeSyncTransport(policy=SSRFPolicy(allowed_schemes=frozenset({"http", "https"})))
