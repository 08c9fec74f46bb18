"""Every Kubernetes object of the stack as a plain, API-shaped dict, built from the service specs alone.

Pure: no Pulumi here. The offline render writes these dicts as YAML and the Kubernetes target wraps the
very same dicts into `pulumi_kubernetes` resources, so what is reviewed is what is deployed. Secret
values stay `Ref`s (the render shows a placeholder, the target a secret Output). Nothing here names a
service: what differs between services is data in their specs.
"""

from __future__ import annotations

from components import constants as c
from components.model import ContainerSpec, Listen, Ref
from components.settings import Settings
from components.targets.kubernetes import files, network

POD_SECURITY = {f"pod-security.kubernetes.io/{mode}": "restricted" for mode in ("enforce", "audit", "warn")}
PROBE_PERIOD_SECONDS = 10
WORKLOAD_IDENTITY_CLIENT = "azure.workload.identity/client-id"
WORKLOAD_IDENTITY_USE = "azure.workload.identity/use"
# What a service that reads the cluster may do: discover and read pods and their logs, and read the
# kubelets' metrics through the node proxy (the Alloy chart's rules, without events).
CLUSTER_READ_RULES = [
    {"apiGroups": [""], "resources": ["pods", "pods/log", "namespaces", "nodes", "services", "endpoints"],
     "verbs": ["get", "list", "watch"]},
    {"apiGroups": ["discovery.k8s.io"], "resources": ["endpointslices"], "verbs": ["get", "list", "watch"]},
    {"apiGroups": [""], "resources": ["nodes/proxy"], "verbs": ["get"]},
]
# Every container learns its namespace from the downward API (Alloy keeps only its own namespace's claims).
POD_NAMESPACE = {"name": "POD_NAMESPACE", "valueFrom": {"fieldRef": {"fieldPath": "metadata.namespace"}}}
# ... and its address (a replicated service advertises it to its peers: Loki's ring).
POD_IP = {"name": "POD_IP", "valueFrom": {"fieldRef": {"fieldPath": "status.podIP"}}}
# Replicas spread over nodes (never two on one node while another schedulable node has fewer; cordoned
# nodes do not count, so a drain can always place the evicted pod) and, where the cluster has them, zones.
SPREAD = (("kubernetes.io/hostname", "DoNotSchedule"), ("topology.kubernetes.io/zone", "ScheduleAnyway"))


def selector(service: str) -> dict[str, str]:
    return {"app.kubernetes.io/name": service, "app.kubernetes.io/part-of": c.PROJECT}


def labels(service: str, settings: Settings) -> dict[str, str]:
    return {**selector(service), "app.kubernetes.io/managed-by": "pulumi", "observability/stack": settings.stack}


def stack_objects(settings: Settings, specs: tuple[ContainerSpec, ...]) -> list[dict]:
    """The namespace, then per service its objects, then the network policies and Grafana's entry."""
    kube = settings.kubernetes
    assert kube is not None, "the Kubernetes target needs Kubernetes settings"
    running = [s for s in specs if not s.oneshot]
    inits = [s for s in specs if s.oneshot and s.init_of]
    assert len(running) + len(inits) == len(specs), "other one-shot jobs are Docker-host parts"
    objects: list[dict] = [{"apiVersion": "v1", "kind": "Namespace",
                            "metadata": {"name": kube.namespace, "labels": POD_SECURITY}}]
    for spec in running:
        objects += service_objects(settings, spec, tuple(i for i in inits if i.init_of == spec.service))
    objects += network.policies(settings, running, selector)
    objects += network.entry(settings, running, selector)
    return objects


def service_objects(settings: Settings, spec: ContainerSpec, inits: tuple[ContainerSpec, ...] = ()) -> list[dict]:
    kube = settings.kubernetes
    assert kube is not None
    meta = {"name": spec.service, "namespace": kube.namespace, "labels": labels(spec.service, settings)}
    config, mounts = files.file_objects(spec, kube.namespace, labels(spec.service, settings))
    init_parts = [files.file_objects(i, kube.namespace, labels(spec.service, settings), f"{i.service}-")
                  for i in inits]
    objects = [*config, *(o for part, _ in init_parts for o in part), _service_account(settings, spec, meta)]
    if spec.reads_cluster_api:
        objects += _cluster_read(settings, spec, meta)
    init_mounts = [(init, part_mounts) for init, (_, part_mounts) in zip(inits, init_parts, strict=True)]
    workload = _workload(settings, spec, meta, mounts, init_mounts)
    objects.append(workload)
    ports = [_service_port(p) for p in spec.listens]
    if spec.listens:
        objects.append({"apiVersion": "v1", "kind": "Service", "metadata": meta, "spec": {
            "type": "ClusterIP", "selector": selector(spec.service), "ports": ports}})
    # The headless Service: a StatefulSet's serviceName (its pods' DNS names), and how replicas find each other
    # (it resolves to every pod, ready or not, so a starting pod finds its peers).
    if workload["kind"] == "StatefulSet" or spec.peer_ports:
        peer_only = [_service_port(p) for p in spec.peer_ports if p not in spec.listens]
        objects.append({"apiVersion": "v1", "kind": "Service", "metadata": {**meta, "name": headless_name(spec)},
                        "spec": {"clusterIP": "None", "selector": selector(spec.service),
                                 "ports": ports + peer_only, "publishNotReadyAddresses": True}})
    # One pod down at a time (a drain, a rollout); never maxUnavailable 0: node drains (AKS upgrades) would fail.
    objects.append({"apiVersion": "policy/v1", "kind": "PodDisruptionBudget", "metadata": meta,
                    "spec": {"maxUnavailable": 1, "selector": {"matchLabels": selector(spec.service)}}})
    return objects


def _service_port(listen: Listen) -> dict:
    return {"name": listen.name, "port": listen.port, "targetPort": listen.name, "protocol": "TCP"}


def headless_name(spec: ContainerSpec) -> str:
    return c.headless_service(spec.service)


def _service_account(settings: Settings, spec: ContainerSpec, meta: dict) -> dict:
    metadata = dict(meta)
    if _workload_identity(settings, spec):
        store = settings.kubernetes.object_store  # type: ignore[union-attr]
        metadata["annotations"] = {WORKLOAD_IDENTITY_CLIENT: store.client_id}
    return {"apiVersion": "v1", "kind": "ServiceAccount", "metadata": metadata,
            "automountServiceAccountToken": spec.reads_cluster_api}


def _workload_identity(settings: Settings, spec: ContainerSpec) -> bool:
    kube = settings.kubernetes
    return bool(spec.object_store and kube and kube.object_store.auth == "workload-identity")


def _cluster_read(settings: Settings, spec: ContainerSpec, meta: dict) -> list[dict]:
    kube = settings.kubernetes
    assert kube is not None
    cluster_name = f"{kube.namespace}-{spec.service}"  # cluster-scoped: unique per namespace
    cluster_meta = {"name": cluster_name, "labels": meta["labels"]}
    return [{"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole", "metadata": cluster_meta,
             "rules": CLUSTER_READ_RULES},
            {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRoleBinding", "metadata": cluster_meta,
             "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": cluster_name},
             "subjects": [{"kind": "ServiceAccount", "name": spec.service, "namespace": kube.namespace}]}]


def _workload(settings: Settings, spec: ContainerSpec, meta: dict, mounts: list[files.Mount],
              inits: list[tuple[ContainerSpec, list[files.Mount]]]) -> dict:
    """A StatefulSet with a claim per data volume, or a Deployment when the service keeps no data."""
    kube = settings.kubernetes
    assert kube is not None
    claims = [(f"data-{i}" if i else "data", v) for i, v in enumerate(spec.data_volumes)]
    template = _pod(settings, spec, mounts, claims, inits)
    common = {"replicas": spec.replicas, "selector": {"matchLabels": selector(spec.service)}, "template": template}
    if not claims:
        # One pod: never two at once, or a second pod during a rollout would tail every log again (positions
        # are in the pod's emptyDir) and double what it ships. Several (clustered): one replaced at a time, the
        # others take over its targets meanwhile.
        strategy = {"type": "Recreate"} if spec.replicas == 1 else {
            "type": "RollingUpdate", "rollingUpdate": {"maxSurge": 0, "maxUnavailable": 1}}
        return {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": meta,
                "spec": {**common, "strategy": strategy}}
    size = kube.volume_gb[spec.service]
    return {"apiVersion": "apps/v1", "kind": "StatefulSet", "metadata": meta, "spec": {
        **common, "serviceName": headless_name(spec),
        # Data is never deleted by a deploy, a scale-down or a destroy: the claims stay.
        "persistentVolumeClaimRetentionPolicy": {"whenDeleted": "Retain", "whenScaled": "Retain"},
        "volumeClaimTemplates": [{"metadata": {"name": name, "labels": selector(spec.service)}, "spec": {
            "accessModes": ["ReadWriteOnce"], "storageClassName": kube.storage_class,
            "resources": {"requests": {"storage": f"{size}Gi"}}}} for name, _ in claims]}}


def _pod(settings: Settings, spec: ContainerSpec, mounts: list[files.Mount], claims: list,
         inits: list[tuple[ContainerSpec, list[files.Mount]]]) -> dict:
    assert spec.pod_ids is not None, f"{spec.service}: no numeric non-root user"
    uid, gid = spec.pod_ids
    claim_names = {volume.source: name for name, volume in claims}
    main, scratch = _container(settings, spec, mounts, claim_names, "scratch")
    init_containers = []
    for init, init_mounts in inits:
        container, init_scratch = _container(settings, init, init_mounts, claim_names, f"{init.service}-scratch")
        init_containers.append(container)
        scratch += init_scratch
    pod_labels = selector(spec.service) | ({WORKLOAD_IDENTITY_USE: "true"} if _workload_identity(settings, spec)
                                           else {})
    all_mounts = [*mounts, *(m for _, init_mounts in inits for m in init_mounts)]
    return {"metadata": {"labels": pod_labels}, "spec": {
        "serviceAccountName": spec.service,
        "automountServiceAccountToken": spec.reads_cluster_api,
        "securityContext": {"runAsNonRoot": True, "runAsUser": uid, "runAsGroup": gid, "fsGroup": gid,
                            "fsGroupChangePolicy": "OnRootMismatch", "seccompProfile": {"type": "RuntimeDefault"}},
        "terminationGracePeriodSeconds": spec.stop_grace_seconds,  # let Loki, Tempo and Prometheus flush
        **({"topologySpreadConstraints": _spread(spec)} if spec.replicas > 1 else {}),
        **({"initContainers": init_containers} if init_containers else {}),
        "containers": [main],
        "volumes": [*({"name": name, "emptyDir": {}} for name in scratch), *(files.volume(m) for m in all_mounts)],
    }}


def _spread(spec: ContainerSpec) -> list[dict]:
    return [{"maxSkew": 1, "topologyKey": key, "whenUnsatisfiable": when, "nodeTaintsPolicy": "Honor",
             "labelSelector": {"matchLabels": selector(spec.service)}} for key, when in SPREAD]


def _container(settings: Settings, spec: ContainerSpec, mounts: list[files.Mount], claims: dict[str, str],
               scratch_prefix: str) -> tuple[dict, list[str]]:
    """One container of a pod, and the emptyDir volumes it needs; `claims` maps data volumes to claims."""
    assert spec.pod_ids is not None, f"{spec.service}: no numeric non-root user"
    uid, gid = spec.pod_ids
    scratch = [(f"{scratch_prefix}-{i}", path) for i, path in enumerate(spec.scratch_dirs)]
    return {
        "name": spec.service,
        "image": spec.image.reference(settings.image_registry_prefix),
        "imagePullPolicy": "IfNotPresent",  # pinned by digest: the image cannot change under a tag
        **({"command": list(spec.entrypoint)} if spec.entrypoint else {}),
        **({"args": list(spec.command)} if spec.command else {}),
        "env": [POD_NAMESPACE, *([POD_IP] if spec.peer_ports else []),
                *(_env(spec, name, value) for name, value in spec.env.items())],
        **({"ports": [{"name": p.name, "containerPort": p.port, "protocol": "TCP"}
                      for p in dict.fromkeys((*spec.listens, *spec.peer_ports))]} if spec.listens else {}),
        "resources": {"requests": {"cpu": f"{spec.cpu_request_millis}m", "memory": f"{spec.memory_mb}Mi"},
                      "limits": {"memory": f"{spec.memory_mb}Mi"}},
        "securityContext": {"allowPrivilegeEscalation": False, "readOnlyRootFilesystem": True,
                            "runAsNonRoot": True, "runAsUser": uid, "runAsGroup": gid,
                            "capabilities": {"drop": ["ALL"]}, "seccompProfile": {"type": "RuntimeDefault"}},
        **(_probes(spec) if not spec.oneshot else {}),
        "volumeMounts": [*({"name": claims[v.source], "mountPath": v.container_path} for v in spec.data_volumes),
                         *({"name": name, "mountPath": path} for name, path in scratch),
                         *({"name": m.volume, "mountPath": m.root, "readOnly": True} for m in mounts)],
    }, [name for name, _ in scratch]


def _env(spec: ContainerSpec, name: str, value: str | Ref) -> dict:
    if isinstance(value, Ref):
        return {"name": name, "valueFrom": {"secretKeyRef": {"name": files.secret_name(spec),
                                                             "key": files.env_secret_key(name)}}}
    return {"name": name, "value": value}


def _probes(spec: ContainerSpec) -> dict:
    check = spec.http_check
    if check is None:  # no HTTP endpoint (the canary): the Docker healthcheck's command, as a liveness probe
        assert spec.healthcheck is not None and spec.healthcheck.test[0] == "CMD", f"{spec.service}: no health"
        return {"livenessProbe": {"exec": {"command": list(spec.healthcheck.test[1:])},
                                  "initialDelaySeconds": 90, "periodSeconds": 60, "failureThreshold": 3}}
    probe = {"httpGet": {"path": check.path, "port": check.port}, "periodSeconds": PROBE_PERIOD_SECONDS,
             "timeoutSeconds": 5}
    probes = {
        # Startup allows a long WAL replay; readiness and liveness only start after it succeeded.
        "startupProbe": {**probe, "failureThreshold": max(1, check.startup_seconds // PROBE_PERIOD_SECONDS)},
        "readinessProbe": {**probe, "failureThreshold": 3},
    }
    if check.live_path:
        probes["livenessProbe"] = {**probe, "httpGet": {"path": check.live_path, "port": check.port},
                                   "failureThreshold": 6}
    return probes
