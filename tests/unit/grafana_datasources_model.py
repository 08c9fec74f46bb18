"""Grafana's datasource provisioning, replayed over the stack's files to test what a redeploy leaves behind.

Derived from Grafana's provisioning documentation ("Data sources" in
https://grafana.com/docs/grafana/latest/administration/provisioning/#data-sources: the `deleteDatasources`
list, `prune: true`, and matching by name and orgId): on every start Grafana reads every file of the directory, then
  1. deletes each stored datasource flagged prunable whose name no file lists any more;
  2. per file, deletes the `deleteDatasources` entries (a missing one is skipped), then inserts or updates
     each listed datasource by (orgId, name), storing `is_prunable` from that file's `prune` flag.
The stored password (secureJsonData) lives on the datasource row, so it goes with it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import yaml


@dataclass
class StoredDatasource:
    name: str
    uid: str
    prunable: bool
    secure_json_data: dict[str, str]


Database = dict[tuple[int, str], StoredDatasource]


def provision(database: Database, files: dict[str, str]) -> Database:
    """The datasources Grafana holds after starting with `files` (path → YAML) over `database`."""
    configs: list[dict[str, Any]] = [yaml.safe_load(text) for _, text in sorted(files.items())]
    listed = {(ds.get("orgId", 1), ds["name"]) for cfg in configs for ds in cfg.get("datasources") or []}
    after = {key: ds for key, ds in database.items() if not (ds.prunable and key not in listed)}
    for cfg in configs:
        for gone in cfg.get("deleteDatasources") or []:
            after.pop((gone.get("orgId", 1), gone["name"]), None)
        for ds in cfg.get("datasources") or []:
            after[(ds.get("orgId", 1), ds["name"])] = StoredDatasource(
                ds["name"], ds["uid"], bool(cfg.get("prune", False)), dict(ds.get("secureJsonData") or {}))
    return after
