"""The stack's services as Railway runs them: the specs cut to their Railway parts (model.RAILWAY, with the
differences each service states in its own module), then what Railway differs in for every service:
- services reach each other at `<service>.railway.internal` — in variables as the reference
  `${{<service>.RAILWAY_PRIVATE_DOMAIN}}`, in config files (which cannot hold references) as the name that
  reference resolves to; every listener binds `[::]` because older private networks are IPv6-only;
- no secret files: a secret file becomes a variable (`$__file{…}` → `$__env{…}`, `X__FILE` → `X`);
- no host: no published ports, no host paths, one data volume; Railway checks health over HTTP
  (`http_check`), not by a command in the container;
- jobs that run once come after the services that keep running.
"""

from __future__ import annotations

import re
from dataclasses import replace

from components.model import RAILWAY, ContainerSpec, Content, File, Ref, frozen_env
from components.services import stack_specs
from components.settings import Settings

PRIVATE_DOMAIN_SUFFIX = "railway.internal"


def reference(service: str) -> str:
    """The Railway variable reference to a service's private host name."""
    return f"${{{{{service}.RAILWAY_PRIVATE_DOMAIN}}}}"


def private_host(service: str) -> str:
    """What `reference(service)` resolves to, for files (Railway names it after the service)."""
    return f"{service}.{PRIVATE_DOMAIN_SUFFIX}"


def service_specs(settings: Settings) -> tuple[ContainerSpec, ...]:
    """The specs the Railway target declares and renders, in that order."""
    specs = sorted(stack_specs(settings, RAILWAY), key=lambda spec: spec.oneshot)  # stable: services, then jobs
    peers = re.compile(rf"\b({'|'.join(re.escape(spec.service) for spec in specs)}):(\d+)\b")
    return tuple(_on_railway(spec, peers) for spec in specs)


def _on_railway(spec: ContainerSpec, peers: re.Pattern[str]) -> ContainerSpec:
    """The spec with Railway's network, its secret files turned into variables, nothing of a host."""
    env: dict[str, Content] = dict(spec.env)
    files: list[File] = []
    secret_vars: dict[str, str] = {}
    for file in spec.files:
        if isinstance(file.content, Ref):
            var = file.path.rsplit("/", 1)[-1].upper()
            secret_vars[file.path] = var
            env[var] = file.content
        else:
            files.append(file)
    for key, value in list(env.items()):
        secret_var = secret_vars.get(str(value)) if key.endswith("__FILE") else None
        if secret_var:  # GF_X__FILE=/run/secrets/x → GF_X=<the secret> itself, not a second variable
            env[key.removesuffix("__FILE")] = env.pop(secret_var)
            del env[key]
    texts = tuple(replace(f, content=_network(_secret_refs(str(f.content), secret_vars), peers)) for f in files)
    return replace(spec, command=tuple(_listen(arg) for arg in spec.command),
                   env=frozen_env(**{k: _network_env(v, peers) for k, v in env.items()}), files=texts,
                   volumes=spec.data_volumes, ports=(), healthcheck=None)


def _secret_refs(text: str, secret_vars: dict[str, str]) -> str:
    for path, var in secret_vars.items():
        text = text.replace(f"$__file{{{path}}}", f"$__env{{{var}}}")
    return text


def _listen(arg: str) -> str:
    return arg.replace("=0.0.0.0:", "=[::]:")


def _network(text: str, peers: re.Pattern[str]) -> str:
    text = text.replace('"0.0.0.0:', '"[::]:')
    return peers.sub(lambda m: f"{private_host(m[1])}:{m[2]}", text)


def _network_env(value: Content, peers: re.Pattern[str]) -> Content:
    if isinstance(value, Ref):
        return value
    return peers.sub(lambda m: f"{reference(m[1])}:{m[2]}", value)
