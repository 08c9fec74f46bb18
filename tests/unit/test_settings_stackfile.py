"""Stack files read as the Pulumi engine reads them, and the render and the program agree on every file."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pulumi
import pytest

from components.settings import ROOT, Secret, Settings, SettingsError, from_stack_file
from components.settings.stackfile import read_stack_config
from tests.unit import pulumi_harness as harness

P = "observability:"


def _write(tmp_path: Path, text: str, stack: str = "s") -> Path:
    (tmp_path / "Pulumi.yaml").write_text((ROOT / "Pulumi.yaml").read_text())
    (tmp_path / f"Pulumi.{stack}.yaml").write_text(text)
    return tmp_path / f"Pulumi.{stack}.yaml"


def _comparable(settings: Settings) -> Settings:
    """Settings without the secret values (unknown offline, test plaintext under the mocks)."""
    return replace(settings, grafana=replace(settings.grafana, admin_password=None),
                   postgres=replace(settings.postgres, admin_password=None))


@pytest.mark.parametrize("stack", ["local", "azure-dev"])
def test_render_and_program_read_the_same_settings_from_each_stack_file(stack):
    program = harness.run_program(stack)
    assert _comparable(program.globals["settings"]) == _comparable(from_stack_file(stack))


@pytest.mark.parametrize(("written", "engine"), [("0x270F", "9999"), ("1_000", "1000"), ("017", "15"),
                                                 ("9999.0", "9999"), ("1e3", "1000"), ("True", "true"),
                                                 ("yes", "yes"), ("off", "off"), ('"0x10"', "0x10"),
                                                 ("2026-01-02", "2026-01-02")])
def test_scalars_reach_the_program_as_the_engine_formats_them(tmp_path, written, engine):
    config = read_stack_config(_write(tmp_path, f"config:\n  {P}domain: {written}\n"))
    assert config.values == {f"{P}domain": engine}


def test_arrays_and_objects_arrive_json_encoded(tmp_path):
    config = read_stack_config(_write(tmp_path, f"config:\n  {P}dockerSshOpts: [-o, 3, yes]\n  x:y: {{a: 1}}\n"))
    assert config.values == {f"{P}dockerSshOpts": '["-o",3,"yes"]', "x:y": '{"a":1}'}


def test_a_hex_port_is_the_same_port_in_render_and_program(tmp_path):
    _write(tmp_path, f"config:\n  {P}environment: local\n  {P}grafanaPort: 0x22B8\n", "hex")
    program = harness.run_program("hex", root=tmp_path)
    assert program.globals["settings"].grafana.port == from_stack_file("hex", tmp_path).grafana.port == 8888


def test_a_boolean_given_yes_is_refused_as_the_engine_would(tmp_path):
    _write(tmp_path, f"config:\n  {P}adminPortsOnLoopback: yes\n")
    with pytest.raises(SettingsError, match=f"{P}adminPortsOnLoopback = yes: must be true or false"):
        from_stack_file("s", tmp_path)


def test_a_duplicate_key_names_both_lines(tmp_path):
    path = _write(tmp_path, f"config:\n  {P}domain: a.example.com\n\n  {P}domain: b.example.com\n")
    with pytest.raises(SettingsError) as caught:
        read_stack_config(path)
    assert caught.value.problems == [f"Pulumi.s.yaml:4: {P}domain appears twice (first on line 2); keep one"]


def test_a_syntax_error_is_one_message_with_file_and_line(tmp_path):
    path = _write(tmp_path, f"config:\n  {P}domain: a\n  {P}dockerSshOpts: [-o\n  {P}grafanaPort: 1\n")
    with pytest.raises(SettingsError) as caught:
        read_stack_config(path)
    [problem] = caught.value.problems
    assert problem.startswith("Pulumi.s.yaml:4: not valid YAML")


def test_an_empty_stack_file_takes_every_default(tmp_path):
    _write(tmp_path, "")
    assert from_stack_file("s", tmp_path).retention.loki_days == 14


def test_the_secrets_provider_keys_the_cli_writes_are_accepted(tmp_path):
    _write(tmp_path, "secretsprovider: azurekeyvault://kv.vault.azure.net/keys/k\nencryptedkey: abc\n"
                     f"config:\n  {P}environment: local\n")
    assert from_stack_file("s", tmp_path).environment == "local"


def test_a_provider_namespace_is_left_to_its_provider(tmp_path):
    _write(tmp_path, f"config:\n  azure-native:location: eastus\n  kubernetes:context: dev\n  {P}environment: local\n")
    assert from_stack_file("s", tmp_path).environment == "local"


def test_a_secure_value_is_unknown_offline_and_secret_under_the_mocks(tmp_path):
    path = _write(tmp_path, f"config:\n  {P}grafanaAdminPassword:\n    secure: v1:abc\n")
    assert read_stack_config(path).secure == {f"{P}grafanaAdminPassword"}
    password = from_stack_file("s", tmp_path).grafana.admin_password
    assert password == Secret("[secret]", known=False)
    config, secret_keys = harness.stack_config("s", root=tmp_path)
    assert config[f"{P}grafanaAdminPassword"] == harness.TEST_SECRET and f"{P}grafanaAdminPassword" in secret_keys


def test_a_misspelled_namespace_on_a_secret_never_shows_the_value(tmp_path):
    _write(tmp_path, "config:\n  observabilty:grafanaAdminPassword:\n    secure: v1:abc\n")
    with pytest.raises(SettingsError) as caught:
        from_stack_file("s", tmp_path)
    assert caught.value.problems == ["observabilty:grafanaAdminPassword = [secret]: unknown namespace "
                                     "'observabilty', did you mean observability:grafanaAdminPassword?"]


def test_the_program_itself_refuses_what_the_engine_lets_through(tmp_path, monkeypatch):
    """Under `pulumi up` a null arrives as the string "null": the program reads its stack file to refuse it."""
    engine_view, project = tmp_path / "engine", tmp_path / "project"
    engine_view.mkdir(), project.mkdir()
    _write(engine_view, f"config:\n  {P}environment: local\n")
    _write(project, f"config:\n  {P}environment: local\n  {P}domain: null\n")
    monkeypatch.setattr("components.settings.sources.ROOT", project)
    with pytest.raises(pulumi.RunError, match=f"Pulumi.s.yaml:3: {P}domain is empty"):
        harness.run_program("s", root=engine_view)
