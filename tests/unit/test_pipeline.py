"""The Azure DevOps pipeline's shape: validate on every run, preview on pull requests as the read-only identity,
deploy on main through the azure-dev environment as the deploy identity, a nightly drift check; the policy pack
on both Pulumi runs; a pinned CLI; hash-locked installs; no code-hosting dependency."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[2]
TEXT = (ROOT / "azure-pipelines.yml").read_text()
PIPELINE = yaml.safe_load(TEXT)
STAGES = {stage["stage"]: stage for stage in PIPELINE["stages"]}


def _steps(stage: dict[str, Any]) -> list[dict[str, Any]]:
    steps: list[dict[str, Any]] = []
    for job in stage["jobs"]:
        steps += job.get("steps") or job["strategy"]["runOnce"]["deploy"]["steps"]
    return steps


def _scripts(stage: str) -> str:
    return "\n".join(step["script"] for step in _steps(STAGES[stage]) if "script" in step)


def _tasks(stage: str) -> list[str]:
    return [step["task"] for step in _steps(STAGES[stage]) if "task" in step]


def _groups(stage: dict[str, Any]) -> list[str]:
    return [v["group"] for v in stage.get("variables") or [] if isinstance(v, dict) and "group" in v]


def test_stages_are_validate_preview_deploy_drift_in_order() -> None:
    assert list(STAGES) == ["validate", "preview", "deploy", "drift"]


def test_ci_runs_on_main_and_pull_requests_come_through_branch_policy() -> None:
    assert PIPELINE["trigger"] == {"branches": {"include": ["main"]}}
    assert PIPELINE["pr"] == "none"


def test_validate_runs_on_every_run() -> None:
    assert "condition" not in STAGES["validate"]


def test_validate_lints_type_checks_tests_and_publishes_the_render() -> None:
    scripts = _scripts("validate")
    assert "ruff check" in scripts and "mypy components" in scripts and "-m pytest" in scripts
    assert "-m components.render --stack $(STACK) --out \"$(Build.ArtifactStagingDirectory)/render\"" in scripts
    assert "PublishPipelineArtifact@1" in _tasks("validate")


def test_validate_runs_the_engine_tests_on_binaries_from_the_pinned_images() -> None:
    steps = _steps(STAGES["validate"])
    [fetch] = [i for i, step in enumerate(steps) if "scripts/engine-binaries.sh" in step.get("script", "")]
    [tests] = [i for i, step in enumerate(steps) if "-m pytest" in step.get("script", "")]
    assert fetch < tests
    assert steps[fetch]["env"]["ACR_LOGIN_SERVER"] == "$(ACR_LOGIN_SERVER)"
    assert PIPELINE["variables"]["ACR_LOGIN_SERVER"].endswith(".azurecr.io")
    assert "source" in steps[tests]["script"] and "engines.env" in steps[tests]["script"]
    assert steps[tests]["env"] == {"REQUIRE_VALIDATORS": "1", "REQUIRE_ENGINES": "1"}
    assert "-rs" in steps[tests]["script"]  # every skip printed with its reason


def test_validate_logs_in_to_the_registry_before_pulling_the_engines() -> None:
    steps = _steps(STAGES["validate"])
    [login] = [i for i, step in enumerate(steps) if step.get("task") == "Docker@2"]
    assert steps[login]["inputs"] == {"command": "login", "containerRegistry": "observability-acr"}
    assert login < next(i for i, step in enumerate(steps) if "engine-binaries.sh" in step.get("script", ""))


def test_preview_runs_only_for_pull_requests() -> None:
    assert STAGES["preview"]["condition"] == "and(succeeded(), eq(variables['Build.Reason'], 'PullRequest'))"


def test_preview_enforces_the_policy_pack_and_publishes_its_summary() -> None:
    scripts = _scripts("preview")
    assert re.search(r"pulumi preview --stack \"\$\(STACK\)\" --policy-pack policy "
                     r"--policy-pack-config policy/azure-dev\.json", scripts)
    assert "##vso[task.uploadsummary]" in scripts and "PublishPipelineArtifact@1" in _tasks("preview")


def test_deploy_runs_only_on_main_outside_pull_requests() -> None:
    condition = STAGES["deploy"]["condition"]
    assert "eq(variables['Build.SourceBranch'], 'refs/heads/main')" in condition
    assert "ne(variables['Build.Reason'], 'PullRequest')" in condition
    assert "ne(variables['Build.Reason'], 'Schedule')" in condition  # the nightly run checks, never deploys


def test_deploy_goes_through_the_azure_dev_environment() -> None:
    [job] = STAGES["deploy"]["jobs"]
    assert job["deployment"] and job["environment"] == "azure-dev"


def test_deploy_runs_pulumi_up_with_the_policy_pack() -> None:
    assert re.search(r"pulumi up --yes --stack \"\$\(STACK\)\" --policy-pack policy "
                     r"--policy-pack-config policy/azure-dev\.json", _scripts("deploy"))


def test_the_stack_is_azure_dev_and_its_policy_config_exists() -> None:
    assert PIPELINE["variables"]["STACK"] == "azure-dev"
    assert (ROOT / "policy" / "azure-dev.json").is_file()


def test_pulumi_cli_is_pinned_to_the_sdk_release_the_program_requires() -> None:
    dependencies = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    [sdk] = [re.fullmatch(r"pulumi>=([\d.]+),<4", d) for d in dependencies if d.startswith("pulumi>")]
    assert sdk and PIPELINE["variables"]["PULUMI_VERSION"] == sdk.group(1)


def test_the_cli_comes_from_the_tool_cache_at_the_pinned_version() -> None:
    for stage in ("preview", "deploy", "drift"):
        assert 'cli="$(Agent.ToolsDirectory)/pulumi/$(PULUMI_VERSION)/x64"' in _scripts(stage)
        assert 'test "$("$cli/pulumi" version)" = "v$(PULUMI_VERSION)"' in _scripts(stage)


def test_secrets_come_from_the_variable_groups_only_where_azure_is_needed() -> None:
    assert _groups(STAGES["preview"]) == _groups(STAGES["drift"]) == ["observability-azure-dev",
                                                                     "observability-azure-dev-reader"]
    assert _groups(STAGES["deploy"]) == ["observability-azure-dev", "observability-azure-dev-deploy"]
    assert _groups(STAGES["validate"]) == []


def _identities(stage: str) -> set[str]:
    """The service principals whose credentials a stage's steps receive."""
    values = [str(v) for step in _steps(STAGES[stage]) for v in (step.get("env") or {}).values()]
    return set(re.findall(r"\$\((pulumi-[a-z]+)-client-(?:id|secret)\)", " ".join(values)))


def test_the_pull_requests_code_and_the_drift_check_run_as_the_read_only_identity() -> None:
    assert _identities("preview") == _identities("drift") == {"pulumi-reader"}


def test_only_the_approved_deploy_runs_as_the_deploy_identity() -> None:
    assert _identities("deploy") == {"pulumi-deploy"}
    assert "pulumi-deploy-client" not in TEXT.split("- stage: deploy")[0] + TEXT.split("- stage: drift")[1]


def test_runs_on_the_self_hosted_pool() -> None:
    assert PIPELINE["pool"]["name"] and "vmImage" not in PIPELINE["pool"]


def test_every_task_is_pinned_to_a_major_version() -> None:
    tasks = [task for stage in STAGES for task in _tasks(stage)]
    assert tasks and all(re.fullmatch(r"[A-Za-z]+@\d+", task) for task in tasks)


def test_the_vm_ssh_key_is_a_secure_file_in_both_pulumi_stages() -> None:
    for stage in ("preview", "deploy", "drift"):
        [ssh] = [step for step in _steps(STAGES[stage]) if step.get("task") == "InstallSSHKey@0"]
        assert ssh["inputs"]["sshKeySecureFile"] == "observability-vm-ssh-key"


def test_nothing_depends_on_github() -> None:
    assert "github" not in TEXT.lower()


def _step_order(stage: str) -> list[str]:
    return [step.get("script", step.get("task", "")) for step in _steps(STAGES[stage])]


def test_preview_and_deploy_check_the_vms_egress_to_acr_before_pulumi() -> None:
    for stage, command in (("preview", "pulumi preview"), ("deploy", "pulumi up")):
        steps = _step_order(stage)
        check = next(i for i, s in enumerate(steps) if "scripts/check-acr-egress.sh" in s)
        assert check < next(i for i, s in enumerate(steps) if command in s), stage


def test_deploy_removes_superseded_images_after_pulumi_up() -> None:
    steps = _step_order("deploy")
    prune = next(i for i, s in enumerate(steps) if "scripts/prune-images.sh" in s)
    assert prune > next(i for i, s in enumerate(steps) if "pulumi up" in s)


def test_every_python_install_goes_through_the_hash_locked_venv_script() -> None:
    scripts = "\n".join(_scripts(stage) for stage in STAGES)
    assert "pip install" not in scripts and "python3 -m venv" not in scripts
    assert "bash scripts/venv.sh --test" in _scripts("validate")
    for stage in ("preview", "deploy"):
        assert "bash scripts/venv.sh\n" in _scripts(stage) and "bash scripts/venv.sh --policy" in _scripts(stage)


def test_drift_is_checked_nightly_on_main_even_without_new_commits() -> None:
    [schedule] = PIPELINE["schedules"]
    assert schedule["branches"] == {"include": ["main"]} and schedule["always"] is True
    assert re.fullmatch(r"\d+ \d+ \* \* \*", schedule["cron"])  # daily


def test_the_drift_stage_runs_only_on_the_schedule_and_without_waiting_for_validate() -> None:
    assert STAGES["drift"]["condition"] == "eq(variables['Build.Reason'], 'Schedule')"
    assert STAGES["drift"]["dependsOn"] == []


def test_each_drift_job_refreshes_its_stack_and_expects_no_changes() -> None:
    jobs = STAGES["drift"]["jobs"]
    assert jobs and {job["variables"]["STACK"] for job in jobs} == {"azure-dev"}
    assert all(job["job"] == "drift_" + job["variables"]["STACK"].replace("-", "_") for job in jobs)
    scripts = _scripts("drift")
    assert 'pulumi preview --stack "$(STACK)" --refresh --expect-no-changes' in scripts
    assert "pulumi up" not in scripts and "pulumi refresh" not in scripts  # read-only: nothing is saved


def test_drift_fails_the_run_with_an_error_and_publishes_the_diff() -> None:
    scripts = _scripts("drift")
    assert 'exit "$status"' in scripts and "##vso[task.logissue type=error]" in scripts
    assert "##vso[task.uploadsummary]" in scripts
    [publish] = [step for step in _steps(STAGES["drift"]) if step.get("task") == "PublishPipelineArtifact@1"]
    assert publish["condition"] == "succeededOrFailed()"
