"""Offline render: every file the stack puts in a container, and a manifest of what the target runs.

    python -m components.render --stack <name> --out <dir>

Needs no Pulumi CLI, Docker or cloud access. It reads the same Pulumi.<stack>.yaml as the program and
writes `<dir>/files/<container>/<path inside the container>` plus `<dir>/manifest.json` with the chosen
target's entries (its containers; for a Kubernetes stack also `<dir>/kubernetes/` with every object; for
Railway its services); every secret value appears as "[secret]". This is the review artifact and what the
validators check.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
from pathlib import Path

from components import targets
from components.model import rendered_text
from components.settings import ROOT, Settings, SettingsError, from_stack_file


def render(settings: Settings, out: Path) -> dict:
    target = targets.chosen(settings.environment)
    specs = target.specs(settings)
    files_root = out / "files"
    if files_root.exists():
        shutil.rmtree(files_root)  # a re-render never leaves files the stack no longer ships
    for spec in specs:
        for file in spec.files:
            path = files_root / spec.name / file.path.lstrip("/")
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(rendered_text(file.content))
    manifest: dict = {"stack": settings.stack, "environment": settings.environment,
                      **target.render(settings, specs, out)}
    (out / "manifest.json").write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n")
    return manifest


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m components.render", description=__doc__.splitlines()[0])
    parser.add_argument("--stack", required=True, help="stack name: reads Pulumi.<stack>.yaml")
    parser.add_argument("--out", required=True, type=Path, help="output directory")
    parser.add_argument("--project-dir", type=Path, default=ROOT, help="where Pulumi.yaml and the stack files are")
    args = parser.parse_args(argv)
    try:
        settings = from_stack_file(args.stack, args.project_dir)
    except SettingsError as error:
        print(error, file=sys.stderr)
        return 2
    args.out.mkdir(parents=True, exist_ok=True)
    manifest = render(settings, args.out)
    print(targets.chosen(settings.environment).summary(args.out, manifest))
    return 0


if __name__ == "__main__":
    sys.exit(main())
