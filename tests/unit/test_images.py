"""The image catalog: every image pinned by tag and digest, in one place only."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from components import images

ROOT = Path(__file__).resolve().parents[2]
CATALOG = ROOT / "components" / "images.py"


def tracked_files() -> list[Path]:
    listed = subprocess.run(["git", "ls-files", "--cached", "--others", "--exclude-standard"], cwd=ROOT,
                            capture_output=True, text=True, check=True).stdout.split()
    return [ROOT / name for name in listed if (ROOT / name).is_file()]


@pytest.mark.parametrize("image", images.CATALOG, ids=lambda i: i.repository)
def test_every_image_has_a_tag_and_a_sha256_digest(image):
    assert images.is_pinned(image)


def test_a_registry_prefix_rewrites_every_reference():
    refs = [i.reference("myacr.azurecr.io") for i in images.ALL]
    assert all(r.startswith("myacr.azurecr.io/") and "@sha256:" in r for r in refs)


def test_without_a_prefix_images_come_from_their_upstream_registry():
    assert images.NGINX.reference() == f"docker.io/library/nginx:{images.NGINX.tag}@{images.NGINX.digest}"


@pytest.mark.parametrize("image", images.CATALOG, ids=lambda i: i.repository)
def test_no_pin_appears_outside_the_catalog(image):
    short_name = image.repository.removeprefix("library/")
    pins = (f"{short_name}:{image.tag}", image.digest)
    here = Path(__file__).resolve()
    offenders = [str(p.relative_to(ROOT)) for p in tracked_files() if p not in (CATALOG, here)
                 and any(pin in p.read_text(errors="ignore") for pin in pins)]
    assert offenders == []


def test_parse_reference_reads_registry_repository_tag_and_digest():
    image = images.parse_reference("myacr.azurecr.io/grafana/loki:3.7.9@sha256:" + "c" * 64)
    assert (image.upstream_registry, image.repository, image.tag) == ("myacr.azurecr.io", "grafana/loki", "3.7.9")
