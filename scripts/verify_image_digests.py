"""Checks every pin of the image catalog against its registry: the tag must still point at the digest.

    venv/bin/python scripts/verify_image_digests.py [--registry <prefix>]

Runs `docker buildx imagetools inspect` (needs registry access: Docker Hub, or the ACR mirror with
--registry after `az acr login`). Exits 1 naming each image whose tag now resolves to another digest.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from components import images  # noqa: E402  (the repository root is on the path only now)


def registry_digest(reference: str) -> str:
    result = subprocess.run(["docker", "buildx", "imagetools", "inspect", reference, "--format",
                             "{{json .Manifest}}"], capture_output=True, text=True, check=True, timeout=120)
    return json.loads(result.stdout)["digest"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--registry", default="", help="registry prefix, e.g. myacr.azurecr.io")
    args = parser.parse_args(argv)
    failures = []
    # The demo images run only on a developer's machine, so the ACR mirror never holds them.
    for image in images.ALL if args.registry else images.CATALOG:
        tagged = image.reference(args.registry).split("@")[0]
        try:
            actual = registry_digest(tagged)
        except (subprocess.CalledProcessError, subprocess.TimeoutExpired, KeyError, ValueError) as error:
            failures.append(f"{tagged}: could not read its digest ({error})")
            continue
        status = "ok" if actual == image.digest else f"MOVED: registry has {actual}, catalog pins {image.digest}"
        print(f"{tagged}: {status}")
        if actual != image.digest:
            failures.append(tagged)
    if failures:
        print("\n".join(["", "Not verified:", *failures]), file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
