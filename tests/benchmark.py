"""How much a run of the program costs above the cost of registering its resources: a benchmark, not a test.

    venv/bin/python -m tests.benchmark [--repeat 5]

For a stack, four programs run under the same mocks, each in a fresh process (so import costs count), timed
from just before the program to its end, alternating, median of `--repeat`:
- the program itself (`__main__.py`, as tests/unit/pulumi_harness.py runs it);
- the bare floor: a program that registers the same resources (type, name, inputs) as plain
  `pulumi.CustomResource`s and imports no provider SDK;
- the same-SDK floor: the bare floor after loading the SDK classes and functions its resources and lookups
  come from (pulumi_docker.Container, pulumi_azure_native.network.SecurityRule, ...);
- the same-shape floor: the same-SDK floor with as many component resources as the program declares, each
  resource parented to one (the components are in every resource's URN: state requires them);
- the same-classes floor: the same-shape floor declaring each resource through its SDK class
  (`pulumi_docker.Container(name, image=..., ...)`) instead of a plain `CustomResource`: what any program
  pays to declare these resources with the provider SDKs, before any logic of its own.
It prints program / floor for local against the bare floor (goal ≤ 3×) and for azure-dev against the same-SDK
floor (goal ≤ 1.5×), how far the same-shape and same-classes floors alone are above the bare one, and the
program against the same-classes floor (what this project's own code adds): the figures README's
"Performance notes" quote.
"""

from __future__ import annotations

import argparse
import importlib
import json
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
GOALS = {"local": ("bare", 3.0), "azure-dev": ("same-sdk", 1.5)}
# The Python package of a provider's type tokens.
SDK_PACKAGES = {"docker": "pulumi_docker", "random": "pulumi_random", "tls": "pulumi_tls",
                "kubernetes": "pulumi_kubernetes", "azure-native": "pulumi_azure_native"}


def sdk_member(token: str) -> tuple[str, str] | None:
    """(module, attribute) of the SDK class or function behind a resource type or invoke token, or None for this
    program's own dynamic providers."""
    package, middle, name = (token.split(":")[2], "index", "Provider") if token.startswith("pulumi:providers:") \
        else token.split(":")
    if package not in SDK_PACKAGES:
        return None
    module = SDK_PACKAGES[package] + ("" if middle.startswith("index") else "." + middle.replace("/", "."))
    return module, name if name[0].isupper() else _snake(name)  # getVault: get_vault


def _snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


def sdk_members(tokens: list[str]) -> list[tuple[str, str]]:
    """What any program declaring those resources and making those lookups must load (azure-native loads a
    service's module on first attribute access, so importing the module alone would load nothing)."""
    return sorted({member for member in map(sdk_member, tokens) if member})


def sdk_class(token: str) -> type | None:
    member = sdk_member(token)
    return getattr(importlib.import_module(member[0]), member[1]) if member else None


def load_members(members: list[tuple[str, str]]) -> None:
    for module, attribute in members:
        getattr(importlib.import_module(module), attribute)


def _harness():
    from components.settings import sources
    from tests.shipped_stacks import with_test_allowlist
    from tests.unit import pulumi_harness

    for module in (sources, pulumi_harness):  # the shipped azure-dev file gets its test allowlist, as in the suite
        module.read_stack_config = with_test_allowlist(module.read_stack_config)  # type: ignore[attr-defined]
    return pulumi_harness


def measure(kind: str, stack: str, resources_file: Path) -> float:
    """Seconds one run of `kind` takes in this process (called in a fresh one)."""
    harness = _harness()
    if kind == "program":
        start = time.perf_counter()
        harness.run_program(stack)
        return time.perf_counter() - start
    resources = json.loads(resources_file.read_text())
    start = time.perf_counter()
    declare_floor(harness, kind, stack, resources)
    return time.perf_counter() - start


def declare_floor(harness, kind: str, stack: str, resources: dict):
    """Runs the floor `kind` for `resources` (as `program_resources` records them) under the suite's mocks;
    returns the monitor that recorded what it registered."""
    import pulumi

    if kind != "bare":
        load_members(sdk_members([r["type"] for r in resources["resources"]] + resources["invokes"]))
    components = resources["components"] if kind in ("same-shape", "same-classes") else 0
    mocks = harness.RecordingMocks()
    monitor = harness.RecordingMonitor(mocks)
    pulumi.runtime.settings.ROOT.set(None)
    pulumi.runtime.set_mocks(mocks, project="observability", stack=stack, monitor=monitor)

    @pulumi.runtime.test
    def run():
        parents = [pulumi.ComponentResource("benchmark:floor:Component", f"component-{i}") for i in range(components)]
        for parent in parents:
            parent.register_outputs({})
        for i, r in enumerate(resources["resources"]):
            opts = pulumi.ResourceOptions(parent=parents[i % components]) if parents else None
            sdk = sdk_class(r["type"]) if kind == "same-classes" else None
            if sdk:  # the SDK's own keyword arguments; nested values stay as the engine received them
                sdk(r["name"], opts=opts, **{_snake(key): value for key, value in r["inputs"].items()})
            elif r["type"].startswith("pulumi:providers:"):
                pulumi.ProviderResource(r["type"].split(":")[2], r["name"], r["inputs"], opts=opts)
            else:
                pulumi.CustomResource(r["type"], r["name"], r["inputs"], opts=opts)

    run()
    return monitor


def _child(kind: str, stack: str, resources_file: Path) -> float:
    out = subprocess.run([sys.executable, "-m", "tests.benchmark", "--measure", kind, stack, str(resources_file)],
                         cwd=ROOT, capture_output=True, text=True, check=True)
    return float(out.stdout.strip().splitlines()[-1])


def program_resources(harness, stack: str) -> dict:
    """What the floors declare: the program's resources (type, name, inputs), its lookups and how many
    component resources it registers."""

    class Counting(harness.RecordingMonitor):
        components = 0

        def RegisterResource(self, request):
            if not request.custom and request.type != "pulumi:pulumi:Stack":
                Counting.components += 1
            return super().RegisterResource(request)

    mocks = harness.RecordingMocks()
    program = harness.run_program(stack, mocks=mocks, monitor=Counting(mocks))
    resources = {"resources": [{"type": r.typ, "name": r.name, "inputs": r.inputs} for r in program.resources],
                 "invokes": sorted({call.token for call in program.invokes}), "components": Counting.components}
    assert resources["resources"] and Counting.components, f"{stack} declared no resources"
    return resources


def compare(stack: str, repeat: int) -> tuple[float, dict[str, float]]:
    """(the program's median seconds, each floor's median seconds)."""
    resources = program_resources(_harness(), stack)
    times: dict[str, list[float]] = {"program": [], "bare": [], "same-sdk": [], "same-shape": [], "same-classes": []}
    with tempfile.TemporaryDirectory() as scratch:
        resources_file = Path(scratch) / "resources.json"
        resources_file.write_text(json.dumps(resources))
        for _ in range(repeat):
            for kind in times:
                times[kind].append(_child(kind, stack, resources_file))
    medians = {kind: statistics.median(values) for kind, values in times.items()}
    return medians.pop("program"), medians


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.benchmark", description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--measure", nargs=3, metavar=("KIND", "STACK", "RESOURCES"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.measure:
        kind, stack, resources_file = args.measure
        print(f"{measure(kind, stack, Path(resources_file)):.4f}")
        return 0
    for stack, (floor, goal) in GOALS.items():
        program, floors = compare(stack, args.repeat)
        ratio = program / floors[floor]
        print(f"{stack:9} program {program:.3f} s; floors: bare {floors['bare']:.3f} s, same-SDK "
              f"{floors['same-sdk']:.3f} s, same-shape {floors['same-shape']:.3f} s, same-classes "
              f"{floors['same-classes']:.3f} s; program / {floor} floor = {ratio:.2f}x (goal <= {goal}x); "
              f"over bare: same-shape {floors['same-shape'] / floors['bare']:.2f}x, same-classes "
              f"{floors['same-classes'] / floors['bare']:.2f}x; program / same-classes floor = "
              f"{program / floors['same-classes']:.2f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
