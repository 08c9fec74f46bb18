"""scripts/prune-images.sh against a stand-in `docker` on PATH: it removes exactly the superseded digests of
the stack's own repositories, keeps what Docker says is in use, and never touches another repository."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from components import images

ROOT = Path(__file__).resolve().parents[2]
OLD, IN_USE = "sha256:" + "0" * 64, "sha256:" + "9" * 64


def _run(tmp_path: Path, unreachable: bool = False) -> tuple[subprocess.CompletedProcess, list[str]]:
    log = tmp_path / "docker-calls"
    loki = f"{images.LOKI.upstream_registry}/{images.LOKI.repository}"
    grafana = f"{images.GRAFANA.upstream_registry}/{images.GRAFANA.repository}"
    # Loki: the running digest and an old one; Grafana: the running one and one a container still uses.
    fake = tmp_path / "docker"
    fake.write_text(f"""#!/bin/sh
echo "$DOCKER_HOST $*" >> {log}
{'echo "Cannot connect to the Docker daemon at $DOCKER_HOST" >&2; exit 1' if unreachable else ''}
case "$1 $2" in
  "image ls")
    case "$6" in
      {loki}) printf '%s\\n' {images.LOKI.digest} {OLD} ;;
      {grafana}) printf '%s\\n' {images.GRAFANA.digest} {IN_USE} '<none>' ;;
    esac ;;
  "image rm")
    case "$3" in *{IN_USE}) echo "conflict: image is being used by running container abc" >&2; exit 1 ;; esac ;;
esac
""")
    fake.chmod(0o755)
    env = {k: v for k, v in os.environ.items() if k != "DOCKER_HOST"} | {
        "PATH": f"{tmp_path}:{os.environ['PATH']}", "PYTHON": sys.executable}
    result = subprocess.run(["bash", "scripts/prune-images.sh", "local"], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=60)
    return result, log.read_text().splitlines()


def test_only_superseded_digests_of_the_stacks_repositories_are_removed(tmp_path):
    result, calls = _run(tmp_path)
    assert result.returncode == 0, result.stderr
    removals = [c for c in calls if " image rm " in c]
    assert removals == [f"unix:///var/run/docker.sock image rm docker.io/grafana/grafana@{IN_USE}",
                        f"unix:///var/run/docker.sock image rm docker.io/grafana/loki@{OLD}"]


def test_an_image_still_in_use_is_kept_and_reported(tmp_path):
    result, _ = _run(tmp_path)
    assert f"kept docker.io/grafana/grafana@{IN_USE}: conflict: image is being used" in result.stdout
    assert "1 superseded image(s) removed, 1 kept" in result.stdout


def test_every_repository_the_stack_runs_is_looked_at_and_nothing_else(tmp_path):
    _, calls = _run(tmp_path)
    listed = sorted(c.split()[-1] for c in calls if " image ls " in c)
    # The local stack also runs its demo data's generator images (demoData).
    expected = sorted({f"{i.upstream_registry}/{i.repository}" for i in (*images.BY_SERVICE.values(),
                                                                         images.POSTGRES_CLIENT, *images.DEMO)})
    assert listed == expected


def test_an_unreachable_docker_host_fails_the_script_instead_of_reporting_nothing_removed(tmp_path):
    result, calls = _run(tmp_path, unreachable=True)
    assert result.returncode != 0
    assert "cannot list" in result.stderr and "Cannot connect to the Docker daemon" in result.stderr
    assert "removed" not in result.stdout and not [c for c in calls if " image rm " in c]
