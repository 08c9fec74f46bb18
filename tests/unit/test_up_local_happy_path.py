"""scripts/up-local.sh end to end against a fake `pulumi`, `docker` and `python3` on PATH, in a copy of
the repository: venv creation, the local file backend, standalone vs. the platform opt-in, the password
prompt, and every command it prints for the user working as pasted."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
COPIED = ("scripts", "requirements.txt", "requirements-test.txt", "pyproject.toml", "Pulumi.yaml", "Pulumi.local.yaml")
REAL_TOOLS = ("bash", "dirname", "mkdir", "cat", "git", "cp")
FAKE_PASSWORD = "fake-grafana-admin-password"

# Logs every call; refuses to run without the local backend variables, like a fresh shell would fail.
FAKE_PULUMI = f"""#!{sys.executable}
import json, os, sys
from pathlib import Path
args = sys.argv[1:]
log = Path(os.environ["FAKE_LOG"])
with log.open("a") as f:
    f.write(json.dumps({{"tool": "pulumi", "args": args, "cwd": os.getcwd(),
                        "backend": os.environ.get("PULUMI_BACKEND_URL")}}) + "\\n")
passphrase = os.environ.get("PULUMI_CONFIG_PASSPHRASE_FILE", "")
if not os.environ.get("PULUMI_BACKEND_URL", "").startswith("file://") or not Path(passphrase).is_file():
    sys.exit("error: no backend/passphrase: PULUMI_BACKEND_URL and PULUMI_CONFIG_PASSPHRASE_FILE must be set")
if not Path("Pulumi.yaml").is_file():
    sys.exit("error: no Pulumi.yaml project file found")
store = Path(os.environ["FAKE_CONFIG"])
config = json.loads(store.read_text()) if store.exists() else {{}}
words = [a for i, a in enumerate(args) if not a.startswith("--") and (i == 0 or args[i - 1] != "--stack")]
if words[:2] == ["config", "get"]:
    import yaml
    schema = yaml.safe_load(Path("Pulumi.yaml").read_text())["config"]
    key = words[2]
    if key in config:
        print(config[key])
    elif key in schema:
        print(schema[key].get("default", ""))  # the project default, as the issue describes
    else:
        sys.exit(f"error: configuration key '{{key}}' not found")
elif words[:2] == ["config", "set"]:
    config[words[2]] = words[3] if len(words) > 3 else sys.stdin.read()
    store.write_text(json.dumps(config))
elif words[:2] == ["config", "rm"]:
    config.pop(words[2], None)
    store.write_text(json.dumps(config))
elif words[:2] == ["stack", "output"]:
    print("{FAKE_PASSWORD}")
"""

FAKE_DOCKER = """#!/usr/bin/env bash
echo "{\\"tool\\": \\"docker\\", \\"args\\": \\"$*\\"}" >>"$FAKE_LOG"
case "$1 $2" in
  "context inspect") echo "${FAKE_CONTEXT_HOST:-unix:///var/run/docker.sock}" ;;
  "network inspect") [[ " ${FAKE_NETWORKS:-} " == *" $3 "* ]] ;;
  *) exit 0 ;;
esac
"""

# A venv's python whose pip only logs; anything else goes to the real interpreter.
FAKE_VENV_PYTHON = f"""#!/usr/bin/env bash
if [ "$1 $2" = "-m pip" ]; then echo "{{\\"tool\\": \\"pip\\", \\"args\\": \\"$*\\"}}" >>"$FAKE_LOG"; exit 0; fi
exec {sys.executable} "$@"
"""

# Delegates to the real interpreter, except `-m venv`, which makes a venv with the fake python above.
FAKE_PYTHON = f"""#!/usr/bin/env bash
if [ -n "${{FAKE_OLD_PYTHON:-}}" ]; then
  [ "$1" = "--version" ] && echo "Python 3.10.12"
  exit 1
fi
if [ "$1 $2" = "-m venv" ]; then
  mkdir -p "$3/bin" && cp "$FAKE_VENV_PYTHON" "$3/bin/python"
  echo '{{"tool": "venv"}}' >>"$FAKE_LOG"
  exit 0
fi
exec {sys.executable} "$@"
"""


class Run:
    def __init__(self, repo: Path, bin_dir: Path, env: dict[str, str]):
        self.repo, self.bin_dir, self.env = repo, bin_dir, env

    def __call__(self, *args: str, stdin: str = "", **extra: str) -> subprocess.CompletedProcess:
        return subprocess.run([str(self.bin_dir / "bash"), "scripts/up-local.sh", *args], cwd=self.repo,
                              env=self.env | extra, input=stdin, capture_output=True, text=True, timeout=60)

    def calls(self, tool: str) -> list:
        log = Path(self.env["FAKE_LOG"])
        lines = [json.loads(line) for line in log.read_text().splitlines()] if log.exists() else []
        return [entry.get("args") for entry in lines if entry["tool"] == tool]

    def config(self) -> dict:
        store = Path(self.env["FAKE_CONFIG"])
        return json.loads(store.read_text()) if store.exists() else {}

    def paste(self, command: str, cwd: Path) -> subprocess.CompletedProcess:
        """Runs a printed command as a user pasting it into a fresh shell elsewhere would."""
        env = {k: v for k, v in self.env.items() if not k.startswith("PULUMI")}
        return subprocess.run([str(self.bin_dir / "bash"), "-c", command], cwd=cwd, env=env,
                              capture_output=True, text=True, timeout=60)


@pytest.fixture
def run(tmp_path) -> Run:
    repo = tmp_path / "clone"
    repo.mkdir()
    for name in COPIED:
        source = ROOT / name
        (shutil.copytree if source.is_dir() else shutil.copy)(source, repo / name)
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for tool in REAL_TOOLS:
        found = shutil.which(tool)
        assert found, f"{tool} is needed by this test"
        (bin_dir / tool).symlink_to(found)
    fakes = (("pulumi", FAKE_PULUMI), ("docker", FAKE_DOCKER), ("python3", FAKE_PYTHON),
             ("venv-python", FAKE_VENV_PYTHON))
    for name, text in fakes:
        (bin_dir / name).write_text(text)
        (bin_dir / name).chmod(0o755)
    env = {"PATH": str(bin_dir), "HOME": str(tmp_path), "FAKE_LOG": str(tmp_path / "calls.log"),
           "FAKE_CONFIG": str(tmp_path / "config.json"), "FAKE_VENV_PYTHON": str(bin_dir / "venv-python")}
    return Run(repo, bin_dir, env)


def printed_command(stdout: str, marker: str) -> str:
    line = next(line for line in stdout.splitlines() if marker in line)
    return line.split(marker, 1)[1].strip()


def test_standalone_happy_path_creates_the_venv_and_state_and_deploys(run):
    result = run("--yes")
    assert result.returncode == 0, result.stderr
    assert run.calls("venv") and any("--require-hashes --only-binary :all: -r requirements.txt" in args
                                     for args in run.calls("pip"))
    passphrase = run.repo / ".pulumi-state" / "passphrase"
    assert passphrase.stat().st_mode & 0o077 == 0 and len(passphrase.read_text().strip()) >= 32
    assert ["up", "--stack", "local", "--yes"] in run.calls("pulumi")
    assert not [args for args in run.calls("pulumi") if args[:2] == ["config", "set"]]  # standalone as shipped


def test_the_printed_password_command_works_as_pasted_from_anywhere(run, tmp_path):
    result = run("--yes")
    command = printed_command(result.stdout, "Password:")
    pasted = run.paste(command, cwd=tmp_path)
    assert pasted.returncode == 0, pasted.stderr
    assert pasted.stdout.strip() == FAKE_PASSWORD


def test_the_shipped_local_stack_is_standalone_with_demo_data():
    config = yaml.safe_load((ROOT / "Pulumi.local.yaml").read_text())["config"]
    assert config["observability:demoData"] is True
    assert "observability:externalNetwork" not in config and "observability:postgresEnabled" not in config


def test_a_running_platform_is_offered_not_joined(run):
    result = run("--yes", FAKE_NETWORKS="migration_network")
    assert result.returncode == 0, result.stderr
    assert "scripts/up-local.sh' --platform" in result.stdout
    assert "externalNetwork" not in run.config()


def test_the_platform_opt_in_prompts_for_an_empty_password_and_joins_the_platform(run):
    result = run("--platform", "--yes", FAKE_NETWORKS="migration_network", PLATFORM_POSTGRES_PASSWORD="pg-admin-pw")
    assert result.returncode == 0, result.stderr
    config = run.config()
    assert (config["demoData"], config["externalNetwork"], config["postgresEnabled"]) == (
        "false", "migration_network", "true")
    assert config["postgresAdminPassword"] == "pg-admin-pw"
    assert ["config", "set", "--secret", "postgresAdminPassword", "--stack", "local"] in run.calls("pulumi")
    assert ["up", "--stack", "local", "--yes"] in run.calls("pulumi")


def test_the_platform_opt_in_without_a_password_stops_before_deploying(run):
    result = run("--platform", FAKE_NETWORKS="migration_network")
    assert result.returncode == 1 and "PLATFORM_POSTGRES_PASSWORD" in result.stderr
    assert not [args for args in run.calls("pulumi") if args[0] == "up"]


def test_the_platform_opt_in_without_the_platform_says_to_start_it(run):
    result = run("--platform")
    assert result.returncode == 1 and "start the platform's docker compose first" in result.stderr
    assert not [args for args in run.calls("pulumi") if args[0] == "up"]


def test_back_to_demo_data_undoes_the_platform_opt_in(run):
    run("--platform", "--yes", FAKE_NETWORKS="migration_network", PLATFORM_POSTGRES_PASSWORD="pw")
    result = run("--demo", "--yes")
    assert result.returncode == 0, result.stderr
    config = run.config()
    assert config["demoData"] == "true" and "externalNetwork" not in config and "postgresEnabled" not in config


def test_a_docker_context_mismatch_prints_a_command_that_works_as_pasted(run, tmp_path):
    result = run(FAKE_CONTEXT_HOST="unix:///home/me/.colima/docker.sock")
    assert result.returncode == 1
    command = result.stderr.strip().splitlines()[-1]
    assert "scripts/pulumi-local.sh" in command
    pasted = run.paste(command, cwd=tmp_path)
    assert pasted.returncode == 0, pasted.stderr
    assert run.config()["dockerHost"] == "unix:///home/me/.colima/docker.sock"


def test_a_python_outside_the_supported_range_is_refused_up_front(run):
    result = run(FAKE_OLD_PYTHON="1")
    assert result.returncode == 1 and ">=3.11,<3.14" in result.stderr and "3.10.12" in result.stderr
    assert not run.calls("venv") and not run.calls("pulumi")


def test_the_documented_test_setup_installs_the_hash_locked_test_environment(run):
    result = subprocess.run([str(run.bin_dir / "bash"), "scripts/venv.sh", "--test"], cwd=run.repo, env=run.env,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    installs = run.calls("pip")
    assert len(installs) == 2
    assert installs[0].endswith("--require-hashes --only-binary :all: -r requirements-test.txt")
    assert installs[1].endswith("--no-deps --no-build-isolation -e .")  # the project: its dependencies are locked



def test_the_policy_pack_venv_gets_its_own_hash_lock_and_not_the_project(run):
    result = subprocess.run([str(run.bin_dir / "bash"), "scripts/venv.sh", "--policy"], cwd=run.repo, env=run.env,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert (run.repo / "policy" / "venv" / "bin" / "python").is_file()
    [install] = run.calls("pip")
    assert install.endswith("--require-hashes --only-binary :all: -r policy/requirements.txt")

def _readme_section(title: str) -> str:
    readme = (ROOT / "README.md").read_text()
    start = readme.index(f"## {title}")
    end = readme.find("\n## ", start + 1)
    return readme[start:end if end > 0 else None]


def _code_lines(section: str) -> list[str]:
    blocks = section.split("```")[1::2]
    return [line.split("#")[0].strip() for block in blocks for line in block.splitlines()[1:] if line.strip()]


def test_the_readme_quick_start_commands_need_no_exported_pulumi_variables():
    lines = _code_lines(_readme_section("Quick start (local)"))
    assert "bash scripts/up-local.sh" in lines
    assert [line for line in lines if line.startswith("pulumi ")] == []  # bare pulumi lacks the local backend
    assert any(line.startswith("bash scripts/pulumi-local.sh stack output grafanaAdminPassword") for line in lines)


def test_the_readme_test_command_follows_a_setup_that_installs_the_test_extra():
    lines = _code_lines(_readme_section("Tests"))
    assert lines.index("bash scripts/venv.sh --test") < lines.index("venv/bin/python -m pytest")


def test_the_pulumi_up_options_and_what_follows_a_double_dash_reach_pulumi_up(run):
    result = run("--refresh", "--diff", "-y", "--", "--target-dependents", "--message", "two words")
    assert result.returncode == 0, result.stderr
    assert ["up", "--stack", "local", "--refresh", "--diff", "-y", "--target-dependents", "--message",
            "two words"] in run.calls("pulumi")
