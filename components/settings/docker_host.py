"""Where a Docker-host stack deploys (dockerHost, dockerSshOpts) and the names it shares with the host.

The target is never inferred from a missing key: azure-dev must name its VM (the default, the local socket,
would deploy on the pipeline agent while the NSG rule opens the VM). Only ssh:// reaches a remote daemon (the
stack has no Docker TLS settings, and tcp:// without TLS is root on the host for anyone who reaches the port),
and ssh options come from an allowlist: nothing that skips host-key checking or runs a local command.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from components.settings import formats as f
from components.settings.reader import Reader

DOCKER_ENVIRONMENTS = ("local", "azure-dev")  # the environments that deploy containers to a Docker host
# The keys only a Docker host reads: Railway and a cluster have their own entry.
KEYS = ("dockerHost", "dockerSshOpts", "dockerNetworkName", "externalNetwork", "adminPortsOnLoopback")
LOCAL_SOCKET = re.compile(r"unix:///[A-Za-z0-9._/-]+")
SSH_HOST = re.compile(r"ssh://[A-Za-z_][A-Za-z0-9._-]{0,31}@[A-Za-z0-9]([A-Za-z0-9.-]{0,252}[A-Za-z0-9])?(:\d{1,5})?")
DOCKER_BUILTIN_NETWORKS = ("bridge", "host", "none")
# Ports the Docker host itself serves: a published Grafana port there would fail, or shadow the service.
HOST_PORTS = {22: "SSH", 2375: "the Docker API", 2376: "the Docker API over TLS", 2377: "Docker swarm"}

_FILE = r"~?[A-Za-z0-9._/%-]+"
_NUMBER = r"[0-9]{1,5}"
# ssh -o options a deploy may need (case-insensitive names, as ssh reads them) and the values each takes.
SSH_OPTIONS = {
    "ServerAliveInterval": _NUMBER, "ServerAliveCountMax": _NUMBER, "ConnectTimeout": _NUMBER,
    "ConnectionAttempts": _NUMBER, "Port": _NUMBER, "StrictHostKeyChecking": "yes", "BatchMode": "yes",
    "IdentitiesOnly": "yes|no", "Compression": "yes|no", "TCPKeepAlive": "yes|no", "AddressFamily": "any|inet|inet6",
    "IdentityFile": _FILE, "UserKnownHostsFile": rf"(?!/dev/){_FILE}", "ControlMaster": "auto|no",
    "ControlPath": _FILE, "ControlPersist": r"yes|no|[0-9]{1,5}[smh]?",
    "LogLevel": "QUIET|FATAL|ERROR|INFO|VERBOSE",
}
SSH_FLAGS = ("-4", "-6", "-C", "-q", "-v")
SSH_FLAGS_WITH_VALUE = {"-i": _FILE, "-p": _NUMBER}
SSH_ALLOWED = (f"allowed: -o with {', '.join(SSH_OPTIONS)} (StrictHostKeyChecking only =yes, UserKnownHostsFile "
               f"not under /dev); {', '.join(SSH_FLAGS)}; -i <identity file>; -p <port>")


@dataclass(frozen=True)
class DockerHost:
    host: str
    ssh_opts: tuple[str, ...]
    network_name: str
    external_network: str | None
    admin_ports_on_loopback: bool


def read_docker_host(r: Reader) -> DockerHost:
    return DockerHost(r.string("dockerHost", required=True), r.strings("dockerSshOpts"),
                      r.string("dockerNetworkName", fmt=f.DOCKER_NAME, required=True),
                      r.string("externalNetwork", fmt=f.DOCKER_NAME) or None, r.boolean("adminPortsOnLoopback"))


def check_docker_host(r: Reader, environment: str, docker: DockerHost, grafana_port: int) -> None:
    remote = environment != "local"
    if remote and not r.is_set("dockerHost"):
        r.problem("dockerHost", docker.host, f"required for {environment}: ssh://<user>@<vm address>[:port] (the "
                  "default, the local socket, would deploy on the machine running pulumi)")
    elif docker.host.startswith("tcp://"):
        r.problem("dockerHost", docker.host, "tcp:// is the Docker API without TLS (whoever reaches the port is root "
                  "on the host): use ssh://user@host[:port]")
    elif not (SSH_HOST.fullmatch(docker.host) or (not remote and LOCAL_SOCKET.fullmatch(docker.host))):
        r.problem("dockerHost", docker.host, "must be ssh://user@host[:port]" + (
            "" if remote else " or unix:///path (the local socket)"))
    if docker.ssh_opts and not docker.host.startswith("ssh://"):
        r.problem("dockerSshOpts", list(docker.ssh_opts), "applies only to an ssh:// dockerHost: remove it")
    elif problem := ssh_opts_problem(docker.ssh_opts):
        r.problem("dockerSshOpts", list(docker.ssh_opts), f"{problem}; {SSH_ALLOWED}")
    for key, name in (("dockerNetworkName", docker.network_name), ("externalNetwork", docker.external_network)):
        if name in DOCKER_BUILTIN_NETWORKS:
            r.problem(key, name, f"is one of Docker's built-in networks ({', '.join(DOCKER_BUILTIN_NETWORKS)}), "
                      "shared with the host or every container; " + (
                          "the stack creates its own, choose another name" if key == "dockerNetworkName" else
                          "name the platform's own network (e.g. migration_network), or leave it empty"))
    if docker.external_network and docker.external_network == docker.network_name:
        r.problem("externalNetwork", docker.external_network, "must differ from dockerNetworkName (the network "
                  "the stack creates)")
    if grafana_port in HOST_PORTS:
        r.problem("grafanaPort", grafana_port, f"is the Docker host's port for {HOST_PORTS[grafana_port]}; choose "
                  "another (e.g. 9999)")


def ssh_opts_problem(opts: tuple[str, ...]) -> str | None:
    """Why `opts` (ssh arguments) are not all from the allowlist, or None."""
    items = list(opts)
    while items:
        item = items.pop(0)
        if item in SSH_FLAGS:
            continue
        flag, attached = item[:2], item[2:].strip()
        if flag in ("-o", *SSH_FLAGS_WITH_VALUE) and item.startswith("-"):
            value = attached or (items.pop(0) if items else "")
            if not value:
                return f"'{item}' needs a value"
            if flag == "-o":
                problem = _option_problem(value)
                if problem:
                    return problem
            elif not re.fullmatch(SSH_FLAGS_WITH_VALUE[flag], value):
                return f"'{flag} {value}' is not a plain {'file path' if flag == '-i' else 'port'}"
            continue
        return f"'{item}' is not an allowed ssh option"
    return None


def _option_problem(option: str) -> str | None:
    match = re.fullmatch(r"([A-Za-z]+)\s*(?:=|\s)\s*(\S+)", option)
    if not match:
        return f"'-o {option}' is not Name=value"
    name = next((n for n in SSH_OPTIONS if n.lower() == match[1].lower()), None)
    if name is None:
        return f"'-o {option}': {match[1]} is not an allowed option (it could run a command or skip host-key checks)"
    if not re.fullmatch(SSH_OPTIONS[name], match[2], re.IGNORECASE if name != "UserKnownHostsFile" else 0):
        return f"'-o {option}': {name} may only be {_described(SSH_OPTIONS[name])}"
    return None


def _described(pattern: str) -> str:
    if pattern.endswith(_FILE):
        return "a file path" + (" outside /dev" if pattern != _FILE else "")
    return {_NUMBER: "a number", SSH_OPTIONS["ControlPersist"]: "yes | no | a duration"}.get(
        pattern, pattern.replace("|", " | "))
