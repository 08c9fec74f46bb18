"""Who may reach the stack's entry (allowedSourceCidrs, allowAnySource): read once, then turned into the
Allowlist of whatever opens the entry (azure-dev's NSG rule, a Kubernetes ingress). components/allowlist.py
holds the rules."""

from __future__ import annotations

from dataclasses import dataclass

from components.allowlist import Allowlist, parse_allowlist
from components.settings.reader import Reader

KEYS = ("allowedSourceCidrs", "allowAnySource")


@dataclass(frozen=True)
class SourceAccess:
    cidrs: tuple[str, ...]
    any_source: bool


def read_access(r: Reader) -> SourceAccess:
    return SourceAccess(r.strings("allowedSourceCidrs"), r.boolean("allowAnySource"))


def allowlist_for(r: Reader, access: SourceAccess, entry: str) -> Allowlist:
    """The allowlist of `entry` (e.g. "port 9999"), its problem recorded on `r` under the key to blame."""
    allowlist, problem = parse_allowlist(access.cidrs, access.any_source, entry)
    if problem:
        shown = access.any_source if problem.setting == "allowAnySource" else list(access.cidrs)
        r.problem(problem.setting, shown, problem.reason)
    return allowlist
