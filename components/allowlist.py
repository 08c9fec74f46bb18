"""The one rule for "does this source allowlist open a port to the internet?", by coverage, not by spelling.

Used by the settings (`allowedSourceCidrs`), the CrossGuard policy pack (NSG rules) and any target that
opens a port (e.g. a Kubernetes ingress allowlist). Standard library only: the policy pack imports this
file from its own virtualenv (see policy/policies.py).

A list is refused when
- an entry is a wildcard or service tag (`*`, `Any`, `Internet`, any case) or anything that is not an IP/CIDR
  (Azure service tags such as `AzureCloud` cover public address space);
- an entry is shorter than the minimum prefix: /8 for IPv4, /32 for IPv6 (`0.0.0.0/00`, `0::/0`, `::/0`,
  `1.2.3.4/0` are all /0), or is the unspecified address (`0.0.0.0`, `::`), which some tools read as "any";
- the union of the entries covers all of IPv4 or all of IPv6, or more public addresses than the ceiling:
  PUBLIC_CEILING, one /8 of public IPv4 (16,777,216 addresses) and one /32 of public IPv6 (private, loopback,
  link-local, shared and documentation ranges do not count), so "all of IPv4 but one /8" is open too.

`parse_allowlist` is what the settings accept on top (the stack's one `Allowlist` value that the NSG rule, the
Ingress annotation and the policy pack's config are built from): CIDR notation only (`a.b.c.d/n`, `x::/n`; no
netmask, no leading zeros, no host bits), no documentation range (RFC 5737, RFC 3849, RFC 9637: no client can
come from one) and not both a list and `allowAnySource: true`.

IPv6 ranges that carry an IPv4 source in their last 32 bits are judged by the IPv4 they reach, whatever their
prefix (`::/64` contains all of `::ffff:0:0/96`, so it is all of IPv4): IPv4-mapped `::ffff:0:0/96` (dual-stack
sockets), NAT64 `64:ff9b::/96` (RFC 6052) and the local-use NAT64 block `64:ff9b:1::/48` (RFC 8215, read as
/96 translation prefixes, the conservative reading), and Teredo `2001::/32` (the client's IPv4, inverted). An
entry inside such a range at /96 + n is that IPv4 /n; a shorter one reaches all of IPv4. We do not rely on how
Azure matches IPv4 traffic against these IPv6 prefixes (the NSG accepts any IPv6 prefix). Not listed: 6to4
`2002::/16` (the IPv4 sits in bits 16-48, so the IPv6 minimum /32 already holds it to an IPv4 /16) and the
deprecated, unrouted IPv4-compatible `::/96` (RFC 4291).
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterable
from dataclasses import dataclass

Network = ipaddress.IPv4Network | ipaddress.IPv6Network

MIN_PREFIX = {4: 8, 6: 32}
WILDCARDS = frozenset({"*", "any", "internet", "0/0"})
# Tags that only ever mean private addresses: the policy pack lets them through (the settings take CIDRs only).
PRIVATE_TAGS = frozenset({"virtualnetwork", "azureloadbalancer"})
_IPV4 = re.compile(r"^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})(?:/(\d{1,3}))?$")
# IPv6 ranges whose last 32 bits are an IPv4 source, and whether those bits are inverted (Teredo).
IPV4_EMBEDDING = {ipaddress.IPv6Network("::ffff:0:0/96"): False, ipaddress.IPv6Network("64:ff9b::/96"): False,
                  ipaddress.IPv6Network("64:ff9b:1::/48"): False, ipaddress.IPv6Network("2001::/32"): True}
_EMBEDDED_BITS = 32
_ALL_IPV4 = ipaddress.IPv4Network("0.0.0.0/0")
# The most public address space one allowlist may admit: a /8 of IPv4, a /32 of IPv6 (the minimum prefixes).
PUBLIC_CEILING = {4: 2 ** (32 - MIN_PREFIX[4]), 6: 2 ** (128 - MIN_PREFIX[6])}
# Ranges no client on the internet comes from: documentation (RFC 5737, RFC 3849, RFC 9637).
DOCUMENTATION = tuple(ipaddress.ip_network(n) for n in ("192.0.2.0/24", "198.51.100.0/24", "203.0.113.0/24",
                                                         "2001:db8::/32", "3fff::/20"))
# Not public unicast (not counted towards the ceiling): RFC 6890 special-purpose ranges, disjoint from each other.
_NOT_PUBLIC = tuple(ipaddress.ip_network(n) for n in (
    "0.0.0.0/8", "10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16", "172.16.0.0/12", "192.168.0.0/16",
    "224.0.0.0/3", "::/128", "::1/128", "fc00::/7", "fe80::/10", "ff00::/8")) + DOCUMENTATION
_CIDR = re.compile(r"[0-9A-Fa-f:.]+/(0|[1-9][0-9]{0,2})")


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


def embedded_ipv4(network: Network) -> list[ipaddress.IPv4Network]:
    """The IPv4 networks an IPv6 entry reaches through IPv4-embedding ranges (none for IPv4 or plain IPv6)."""
    if not isinstance(network, ipaddress.IPv6Network):
        return []
    reached = []
    for embedding, inverted in IPV4_EMBEDDING.items():
        if not network.overlaps(embedding):
            continue
        ipv4_prefix = network.prefixlen - (network.max_prefixlen - _EMBEDDED_BITS)
        if network.prefixlen <= embedding.prefixlen or ipv4_prefix < 0:
            reached.append(_ALL_IPV4)  # it spans every IPv4 value of the embedding range
            continue
        low = int(network.network_address) & 0xFFFF_FFFF
        if inverted:  # Teredo stores the client address bit-inverted; inversion maps a prefix to a prefix
            low = ~low & 0xFFFF_FFFF & ~(0xFFFF_FFFF >> ipv4_prefix)
        reached.append(ipaddress.IPv4Network((low, ipv4_prefix)))
    return reached


def _judged(network: Network) -> list[Network]:
    """What an entry is judged as: itself, plus the IPv4 it reaches through an embedding range."""
    return [network, *embedded_ipv4(network)]


def _entry_problem(source: str) -> str | None:
    text = str(source).strip()
    if text.lower() in WILDCARDS:
        return f"'{text}' means any source"
    network = as_network(text)
    if network is None:
        if text.lower() in PRIVATE_TAGS:
            return None
        return f"'{text}' is not an IP address or CIDR (a service tag or wildcard can include the internet)"
    for judged in _judged(network):
        if judged.network_address.is_unspecified and judged.prefixlen == judged.max_prefixlen:
            return f"'{text}' is the unspecified address, read as any source by some tools"
        minimum = MIN_PREFIX[judged.version]
        if judged.prefixlen < minimum:
            reaches = "" if judged is network else f"reaches IPv4 {judged}: "
            return (f"'{text}' {reaches}is a /{judged.prefixlen} (IPv{judged.version} ranges must be /{minimum} "
                    "or narrower)")
    return None


def open_to_internet_problem(sources: Iterable[str]) -> str | None:
    """Why `sources` (an allowlist of CIDRs/IPs/tags) opens a port to the internet, or None when it does not."""
    entries = [str(s) for s in sources]
    for entry in entries:
        problem = _entry_problem(entry)
        if problem:
            return problem
    networks = [j for n in (as_network(e) for e in entries) if n is not None for j in _judged(n)]
    for version, everything in ((4, ipaddress.IPv4Network("0.0.0.0/0")), (6, ipaddress.IPv6Network("::/0"))):
        same = [n for n in networks if n.version == version]
        union = list(ipaddress.collapse_addresses(same))  # type: ignore[type-var]
        if everything in union:
            return f"together its {len(same)} IPv{version} entries cover all of IPv{version}"
        public = sum(_public_size(n) for n in union)
        if public > PUBLIC_CEILING[version]:
            return (f"together its {len(same)} IPv{version} entries admit {public:,} public addresses, over the "
                    f"ceiling of {PUBLIC_CEILING[version]:,} (one /{MIN_PREFIX[version]})")
    return None


def _public_size(network: Network) -> int:
    """How many of `network`'s addresses are public (the special-purpose ranges are disjoint)."""
    size = network.num_addresses
    for special in _NOT_PUBLIC:
        if special.version != network.version or not network.overlaps(special):
            continue
        if network.subnet_of(special):  # type: ignore[arg-type]
            return 0
        size -= special.num_addresses
    return size


@dataclass(frozen=True)
class Allowlist:
    """Who may reach the entry: `cidrs` in canonical CIDR notation, or anyone (`any_source`), never both."""

    cidrs: tuple[str, ...]
    any_source: bool


@dataclass(frozen=True)
class AllowlistProblem:
    setting: str  # the config key to blame: allowedSourceCidrs | allowAnySource
    reason: str


HOW_TO_SET = ("pulumi config set --path 'allowedSourceCidrs[0]' <office egress CIDR, e.g. 20.50.60.0/28> "
              "(one index per range), or set allowAnySource: true explicitly")


def parse_allowlist(entries: Iterable[str], any_source: bool, entry: str) -> tuple[Allowlist, AllowlistProblem | None]:
    """The allowlist of `entry` (e.g. "port 9999") from allowedSourceCidrs/allowAnySource, or why it is refused
    (then an empty allowlist that admits no one)."""
    entries = [str(e) for e in entries]
    refused = Allowlist((), False)
    if any_source and entries:
        return refused, AllowlistProblem("allowAnySource", "contradicts allowedSourceCidrs (a list): remove the "
                                         "list to admit anyone, or set allowAnySource: false to admit only the list")
    if any_source:
        return Allowlist((), True), None
    if not entries:
        return refused, AllowlistProblem("allowedSourceCidrs", f"list at least one source CIDR for {entry}: "
                                         + HOW_TO_SET)
    # Judged first by what a lenient reader (Azure, ingress-nginx) would make of it, then by notation.
    readable = [e for e in entries if as_network(e) is not None or e.strip().lower() in WILDCARDS]
    problem = open_to_internet_problem(readable)
    if problem:
        return refused, AllowlistProblem("allowedSourceCidrs", f"opens {entry} to the internet: {problem}; list "
                                         "specific CIDRs, or set allowAnySource: true explicitly")
    for text in entries:
        problem = cidr_problem(text)
        if problem:
            return refused, AllowlistProblem("allowedSourceCidrs", f"{problem}; {CIDR_RULES}")
    return Allowlist(tuple(str(ipaddress.ip_network(e)) for e in entries), False), None


CIDR_RULES = (f"entries are CIDRs (address/prefix, e.g. 10.20.0.0/24), at most /{MIN_PREFIX[4]} (IPv4) or "
              f"/{MIN_PREFIX[6]} (IPv6) wide, outside the documentation ranges, admitting at most one "
              f"/{MIN_PREFIX[4]} of public IPv4 altogether")


def cidr_problem(entry: str) -> str | None:
    """Why `entry` is not a CIDR the settings accept (address/prefix, no host bits, not documentation), or None."""
    shown = repr(entry) if entry != entry.strip() or not entry.isprintable() else f"'{entry}'"
    if not _CIDR.fullmatch(entry):
        return f"{shown} is not CIDR notation (no netmask, no bare address)"
    try:
        network = ipaddress.ip_network(entry, strict=True)
    except ValueError as error:
        return f"{shown} is not a CIDR ({error})"
    for documentation in DOCUMENTATION:
        if network.version == documentation.version and network.overlaps(documentation):
            return f"{shown} is in the documentation range {documentation}, which no client comes from"
    return None
