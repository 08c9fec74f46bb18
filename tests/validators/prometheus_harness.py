"""Runs the rendered Prometheus container's files and command outside Docker, for the validators.

The render writes each file at its path inside the container; here those paths are mapped onto the
render directory and a scratch data directory, so promtool and prometheus see exactly what the
container would. Also a minimal remote-write client (protobuf + snappy by hand, no extra packages).
"""

from __future__ import annotations

import struct
from pathlib import Path

import yaml

CONTAINER = "obs-prometheus"
CONFIG_FLAG = "--config.file="
DATA_FLAG = "--storage.tsdb.path="


def container_root(render_dir: Path) -> Path:
    """Where the render put the files of the Prometheus container."""
    return render_dir / "files" / CONTAINER


def mapped_config(render_dir: Path, config_path: str, out_dir: Path) -> Path:
    """The rendered prometheus.yml, its rule_files globs pointing into the render instead of /etc."""
    root = container_root(render_dir)
    config = yaml.safe_load((root / config_path.lstrip("/")).read_text())
    config["rule_files"] = [str(root / pattern.lstrip("/")) for pattern in config["rule_files"]]
    mapped = out_dir / "prometheus.yml"
    mapped.write_text(yaml.safe_dump(config, sort_keys=False))
    return mapped


def container_command(manifest: dict) -> list[str]:
    [container] = [c for c in manifest["containers"] if c["name"] == CONTAINER]
    return list(container["command"])


def flag_value(command: list[str], prefix: str) -> str:
    [value] = [arg[len(prefix):] for arg in command if arg.startswith(prefix)]
    return value


# --- remote write 1.0: a snappy-compressed prometheus.WriteRequest ------------------------------

def _varint(n: int) -> bytes:
    out = bytearray()
    while True:
        byte, n = n & 0x7F, n >> 7
        out.append(byte | (0x80 if n else 0))
        if not n:
            return bytes(out)


def _field(number: int, payload: bytes | str) -> bytes:
    data = payload.encode() if isinstance(payload, str) else payload
    return _varint(number << 3 | 2) + _varint(len(data)) + data


def _double(number: int, value: float) -> bytes:
    return _varint(number << 3 | 1) + struct.pack("<d", value)


def _int(number: int, value: int) -> bytes:
    return _varint(number << 3) + _varint(value)


def _labels(labels: dict[str, str]) -> bytes:
    return b"".join(_field(1, _field(1, k) + _field(2, v)) for k, v in sorted(labels.items()))


def write_request(labels: dict[str, str], value: float, timestamp_ms: int,
                  exemplar_labels: dict[str, str] | None = None) -> bytes:
    """One series with one sample and, optionally, one exemplar (TimeSeries fields 1, 2 and 3)."""
    series = _labels(labels) + _field(2, _double(1, value) + _int(2, timestamp_ms))
    if exemplar_labels:
        series += _field(3, _labels(exemplar_labels) + _double(2, value) + _int(3, timestamp_ms))
    return _field(1, series)


def snappy_block(data: bytes) -> bytes:
    """Snappy's block format with literal elements only: valid, just not smaller."""
    out = bytearray(_varint(len(data)))
    for start in range(0, len(data), 65536):
        chunk = data[start:start + 65536]
        n = len(chunk) - 1
        if n < 60:
            out.append(n << 2)
        elif n < 256:
            out += bytes([60 << 2, n])
        else:
            out += bytes([61 << 2]) + n.to_bytes(2, "little")
        out += chunk
    return bytes(out)
