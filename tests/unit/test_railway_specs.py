"""The Railway target's own rewrites apply to whatever services the specs bring, named by none of its code:
private hosts, listeners on [::], secret files as variables, nothing of a host, jobs after services."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from components import images
from components.model import ContainerSpec, File, Healthcheck, HttpCheck, Port, Ref, Volume, frozen_env
from components.settings import from_stack_file, parse
from components.targets.railway import services as railway

ROOT = Path(__file__).resolve().parents[2]


def _widget(**changes) -> ContainerSpec:
    """A service the target has never seen, with everything Railway has to change."""
    spec = ContainerSpec(
        service="widget", name="obs-widget", image=images.POSTGRES_CLIENT,
        command=("serve", "--listen=0.0.0.0:8080", "--peer=gadget:9000"),
        env=frozen_env(GADGET_URL="http://gadget:9000/api", TOKEN__FILE="/run/secrets/token",
                       ELSEWHERE="http://unknown:9000", KEY=Ref("key")),
        files=(File("/etc/widget.yaml",
                    'listen: "0.0.0.0:8080"\npeer: gadget:9000\ntoken: $__file{/run/secrets/token}\n'),
               File("/run/secrets/token", Ref("widget_token"), 0o400)),
        volumes=(Volume("obs-widget-data", "/data"), Volume("/var/log", "/host/log", True, True),
                 Volume("obs-gadget-data", "/gadget", read_only=True)),
        ports=(Port(8080, 8080),),
        healthcheck=Healthcheck(("CMD", "true")),
        http_check=HttpCheck("/ready", 8080))
    return replace(spec, **changes)


def _gadget(**changes) -> ContainerSpec:
    return _widget(service="gadget", name="obs-gadget", **changes)


@pytest.fixture
def shaped(monkeypatch):
    def _shaped(*specs: ContainerSpec) -> dict[str, ContainerSpec]:
        monkeypatch.setattr(railway, "stack_specs", lambda settings, target: specs)
        return {s.service: s for s in railway.service_specs(from_stack_file("railway"))}
    return _shaped


def test_peers_are_reached_by_reference_in_variables_and_by_private_name_in_files(shaped):
    widget = shaped(_widget(), _gadget())["widget"]
    assert widget.env["GADGET_URL"] == "http://${{gadget.RAILWAY_PRIVATE_DOMAIN}}:9000/api"
    assert "peer: gadget.railway.internal:9000" in str(widget.files[0].content)
    assert widget.env["ELSEWHERE"] == "http://unknown:9000"  # not a service of the project: left as it is


def test_listeners_bind_every_address_family(shaped):
    widget = shaped(_widget())["widget"]
    assert widget.command == ("serve", "--listen=[::]:8080", "--peer=gadget:9000")
    assert 'listen: "[::]:8080"' in str(widget.files[0].content)


def test_a_secret_file_becomes_the_variable_its_file_setting_and_references_named(shaped):
    widget = shaped(_widget())["widget"]
    assert [f.path for f in widget.files] == ["/etc/widget.yaml"]
    assert widget.env["TOKEN"] == Ref("widget_token") and "TOKEN__FILE" not in widget.env
    assert "token: $__env{TOKEN}" in str(widget.files[0].content)
    assert widget.env["KEY"] == Ref("key")


def test_nothing_of_a_host_remains_but_the_data_volume_and_the_http_check(shaped):
    widget = shaped(_widget())["widget"]
    assert (widget.ports, widget.healthcheck, widget.http_check) == ((), None, HttpCheck("/ready", 8080))
    assert [v.source for v in widget.volumes] == ["obs-widget-data"]


def test_jobs_that_run_once_come_after_the_services_in_the_order_the_specs_give(shaped):
    job = _widget(service="job", name="obs-job", oneshot=True)
    assert list(shaped(job, _widget(), _gadget())) == ["widget", "gadget", "job"]


def test_the_shipped_order_keeps_the_role_job_last():
    settings = parse("railway", {"environment": "railway", "postgresEnabled": True}, set(), ROOT, deploying=False)
    assert [s.service for s in railway.service_specs(settings)] == [
        "loki", "tempo", "prometheus", "alloy", "canary", "grafana", "postgres-readonly"]
