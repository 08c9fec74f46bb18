"""The one rule for "does this source allowlist open a port to the internet?", by coverage, not by spelling.

Used by the settings (`allowedSourceCidrs`), the CrossGuard policy pack (NSG rules) and any target that
opens a port (e.g. a Kubernetes ingress allowlist). Standard library only: the policy pack imports this
file from its own virtualenv (see policy/policies.py).

A list is refused when
- an entry is a wildcard or service tag (`*`, `Any`, `Internet`, any case) or anything that is not an IP/CIDR
  (Azure service tags such as `AzureCloud` cover public address space);
- an entry is shorter than the minimum prefix: /8 for IPv4, /32 for IPv6 (`0.0.0.0/00`, `0::/0`, `::/0`,
  `1.2.3.4/0` are all /0), or is the unspecified address (`0.0.0.0`, `::`), which some tools read as "any";
- the union of the entries covers all of IPv4 or all of IPv6 (IPv4-mapped IPv6 counts as IPv4).
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterable

Network = ipaddress.IPv4Network | ipaddress.IPv6Network

MIN_PREFIX = {4: 8, 6: 32}
WILDCARDS = frozenset({"*", "any", "internet", "0/0"})
# Tags that only ever mean private addresses: the policy pack lets them through (the settings take CIDRs only).
PRIVATE_TAGS = frozenset({"virtualnetwork", "azureloadbalancer"})
_IPV4 = re.compile(r"^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})(?:/(\d{1,3}))?$")
_MAPPED = ipaddress.IPv6Network("::ffff:0:0/96")


def as_network(source: str) -> Network | None:
    """The network an entry means, read as leniently as Azure does (`0.0.0.0/00`, `010.0.0.0/8`, host bits)."""
    text = str(source).strip()
    match = _IPV4.match(text)
    if match:
        octets = [int(part) for part in match.groups()[:4]]
        prefix = int(match[5]) if match[5] is not None else 32
        if max(octets) > 255 or prefix > 32:
            return None
        return ipaddress.IPv4Network((".".join(map(str, octets)), prefix), strict=False)
    address, slash, prefix_text = text.partition("/")
    try:
        if slash:
            return ipaddress.IPv6Network((address, int(prefix_text)), strict=False)
        return ipaddress.IPv6Network(address)
    except ValueError:
        return None


def _as_ipv4(network: Network) -> Network:
    """IPv4-mapped IPv6 (`::ffff:0.0.0.0/96`) reaches IPv4 hosts: count it as the IPv4 network it maps."""
    if isinstance(network, ipaddress.IPv6Network) and network.prefixlen >= 96 and network.subnet_of(_MAPPED):
        mapped = network.network_address.ipv4_mapped
        assert mapped is not None
        return ipaddress.IPv4Network((mapped, network.prefixlen - 96))
    return network


def _entry_problem(source: str) -> str | None:
    text = str(source).strip()
    if text.lower() in WILDCARDS:
        return f"'{text}' means any source"
    network = as_network(text)
    if network is None:
        if text.lower() in PRIVATE_TAGS:
            return None
        return f"'{text}' is not an IP address or CIDR (a service tag or wildcard can include the internet)"
    network = _as_ipv4(network)
    if network.network_address.is_unspecified and network.prefixlen == network.max_prefixlen:
        return f"'{text}' is the unspecified address, read as any source by some tools"
    minimum = MIN_PREFIX[network.version]
    if network.prefixlen < minimum:
        return (f"'{text}' is a /{network.prefixlen} (IPv{network.version} ranges must be /{minimum} or "
                "narrower)")
    return None


def open_to_internet_problem(sources: Iterable[str]) -> str | None:
    """Why `sources` (an allowlist of CIDRs/IPs/tags) opens a port to the internet, or None when it does not."""
    entries = [str(s) for s in sources]
    for entry in entries:
        problem = _entry_problem(entry)
        if problem:
            return problem
    networks = [_as_ipv4(n) for n in (as_network(e) for e in entries) if n is not None]
    for version, everything in ((4, ipaddress.IPv4Network("0.0.0.0/0")), (6, ipaddress.IPv6Network("::/0"))):
        same = [n for n in networks if n.version == version]
        if everything in ipaddress.collapse_addresses(same):  # type: ignore[type-var]
            return f"together its {len(same)} IPv{version} entries cover all of IPv{version}"
    return None


def strict_cidr_problem(source: str) -> str | None:
    """Why `source` is not a plain canonical IP/CIDR (what the settings accept), or None."""
    try:
        ipaddress.ip_network(source, strict=True)
    except ValueError as error:
        return str(error)
    return None
