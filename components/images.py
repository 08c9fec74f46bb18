"""The one image catalog: every image the stack runs, pinned by tag and by digest.

How to bump a version:
  1. Pick the new tag from the upstream release notes (read the breaking changes: Tempo 3.0 removed the
     `ingester`/`compactor` blocks; Loki 3.6 made the image distroless).
  2. Read its multi-arch index digest: `docker buildx imagetools inspect <repository>:<tag>` (first
     "Digest:" line) or `crane digest <repository>:<tag>`.
  3. Change `tag` and `digest` below, run the tests (`venv/bin/python -m pytest`), review
     `python -m components.render --stack azure-dev --out render/` and `pulumi preview`.
  A test fails if a tag of these images appears anywhere else in the repository.

With a registry prefix (azure-dev: ACR), every reference becomes `<prefix>/<repository>:<tag>@<digest>`,
and ACR cache rules map `<prefix>/<repository>` to `<upstream registry>/<repository>`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from components import constants as c

_DIGEST_HEX = 64
DOCKER_HUB = "docker.io"  # the registry of the catalog's images; its credentials serve no other registry


@dataclass(frozen=True)
class Image:
    upstream_registry: str  # where the image is published
    repository: str  # path inside that registry; also the mirror's repository
    tag: str
    digest: str  # sha256 of the multi-arch index

    def reference(self, registry_prefix: str = "") -> str:
        registry = registry_prefix.rstrip("/") or self.upstream_registry
        return f"{registry}/{self.repository}:{self.tag}@{self.digest}"

    @property
    def upstream_repository(self) -> str:
        return f"{self.upstream_registry}/{self.repository}"


# renovate: datasource=docker depName=grafana/grafana
GRAFANA = Image("docker.io", "grafana/grafana", "13.2.1",
                "sha256:f772d434e8fab0049deb2b1b30abd43342bcfca1537614aa8d36080232cf4283")
# renovate: datasource=docker depName=grafana/loki
LOKI = Image("docker.io", "grafana/loki", "3.7.8",
             "sha256:1107dd5274e0ada47e42472b7a7e71f3b2a2fe878878108f3e2f9e51528f0193")
# renovate: datasource=docker depName=grafana/tempo (3.x: no ingester/compactor blocks)
TEMPO = Image("docker.io", "grafana/tempo", "3.0.3",
              "sha256:0296560ac66f8a3600d7fb3014a52c189d4d9c3549ad6ff441bf2409855d68d5")
# renovate: datasource=docker depName=prom/prometheus (3.13 is the LTS line)
PROMETHEUS = Image("docker.io", "prom/prometheus", "v3.13.2",
                   "sha256:508729e0e2d18e11fd742a5a5ca70e557b940a93948c3c95fd0123a6fd538b69")
# renovate: datasource=docker depName=grafana/alloy
ALLOY = Image("docker.io", "grafana/alloy", "v1.19.2",
              "sha256:b8ec653c44235fbe910879145dac3597d66b0aaecf60bcbbe82580767771a839")
# renovate: datasource=docker depName=nginx (>= 1.30.2: CVE-2026-42945, CVE-2026-9256)
NGINX = Image("docker.io", "library/nginx", "1.30.2-alpine",
              "sha256:5f979dcfed4ce6461873f087e8c980d6e29b084b9e8776d9704a7e989b5f4898")
# renovate: datasource=docker depName=postgres (psql for the read-only role job)
POSTGRES_CLIENT = Image("docker.io", "library/postgres", "17.6-alpine",
                        "sha256:ef257d85f76e48da1c64832459b59fcaba1a4dac97bf5d7450c77753542eee94")
# renovate: datasource=docker depName=ghcr.io/open-telemetry/opentelemetry-collector-contrib/telemetrygen
# (demoData only: OTLP traces, metrics and logs for the local stack's first run)
TELEMETRYGEN = Image("ghcr.io", "open-telemetry/opentelemetry-collector-contrib/telemetrygen", "v0.159.0",
                     "sha256:bad7fde3119476a9177cc4b9f04307c9876fca5b5584e009aebd7123d7557658")

BY_SERVICE = {
    c.GRAFANA: GRAFANA,
    c.LOKI: LOKI,
    c.TEMPO: TEMPO,
    c.PROMETHEUS: PROMETHEUS,
    c.ALLOY: ALLOY,
    c.PROXY: NGINX,
}
ALL = (GRAFANA, LOKI, TEMPO, PROMETHEUS, ALLOY, NGINX, POSTGRES_CLIENT)
# Only the local stack's demo data runs these (never mirrored to ACR). The demo database and the demo
# log emitter run POSTGRES_CLIENT: the same pinned image, one pull.
DEMO = (TELEMETRYGEN,)
CATALOG = ALL + DEMO  # what scripts/verify_image_digests.py checks


def is_pinned(image: Image) -> bool:
    hex_part = image.digest.removeprefix("sha256:")
    return bool(image.tag) and image.digest.startswith("sha256:") and len(hex_part) == _DIGEST_HEX \
        and all(ch in "0123456789abcdef" for ch in hex_part)


_REFERENCE = re.compile(
    r"^(?:(?P<registry>[a-z0-9.-]+\.[a-z0-9.-]+(?::\d+)?|localhost(?::\d+)?)/)?"
    r"(?P<repository>[a-z0-9]+(?:[._/-][a-z0-9]+)*)"
    r":(?P<tag>[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})"
    r"@(?P<digest>sha256:[0-9a-f]{64})$"
)


def parse_reference(reference: str) -> Image | None:
    """An override reference `[registry/]repository:tag@sha256:<64 hex>`; None when tag or digest is missing."""
    match = _REFERENCE.match(reference)
    if not match:
        return None
    registry, repository = match["registry"] or DOCKER_HUB, match["repository"]
    if registry == DOCKER_HUB and "/" not in repository:
        repository = f"library/{repository}"  # Docker Hub's official images: `nginx` is `library/nginx`
    return Image(registry, repository, match["tag"], match["digest"])
