"""Names every service, file and datasource agrees on: one place, so every reference resolves.

A service's name is its module (`components/services/<name>.py`), its config folder
(`config/<name>/`), its container alias on the Docker network and its Grafana datasource uid.
"""

from components.secret_names import (ALERT_CONTACT_URL, GRAFANA_ADMIN_PASSWORD, GRAFANA_SECRET_KEY,
                                     POSTGRES_READONLY_PASSWORD, SMTP_PASSWORD)

PROJECT = "observability"
# Railway's API token may come from the deployer's environment instead of the stack's secret setting.
RAILWAY_TOKEN_ENV = "RAILWAY_TOKEN"

GRAFANA = "grafana"
LOKI = "loki"
TEMPO = "tempo"
PROMETHEUS = "prometheus"
ALLOY = "alloy"
PROXY = "proxy"
SERVICES = (GRAFANA, LOKI, TEMPO, PROMETHEUS, ALLOY, PROXY)

# Stable container names: the platform's SREs `docker logs` these by name.
CONTAINER_PREFIX = "obs-"


def container_name(service: str) -> str:
    return f"{CONTAINER_PREFIX}{service}"


def headless_service(service: str) -> str:
    """The Kubernetes Service that resolves to each of a service's pods (StatefulSet identity, peer discovery)."""
    return f"{service}-headless"


# Docker networks a spec joins, by role: the stack's shared one (dockerNetworkName), and the one only
# Alloy and the Docker API proxy share (`<dockerNetworkName>-docker-api`): container env stays off the
# network Grafana and the platform's containers sit on.
STACK_NETWORK = "stack"
DOCKER_API_NETWORK = "docker-api"

# Ports inside the Docker network. Only the proxy publishes one on the host.
PORTS = {
    GRAFANA: 3000,
    LOKI: 3100,
    TEMPO: 3200,
    PROMETHEUS: 9090,
    ALLOY: 12345,
    PROXY: 9999,
}
# Services whose UI/API adminPortsOnLoopback binds to 127.0.0.1 on the host, for SSH tunnels.
ADMIN_PORT_SERVICES = (LOKI, TEMPO, PROMETHEUS, ALLOY)
OTLP_GRPC_PORT = 4317
OTLP_HTTP_PORT = 4318
# Between the replicas of one service: Loki's gRPC (config/loki/loki.yaml) and its ring's memberlist gossip.
LOKI_GRPC_PORT = 9095
MEMBERLIST_PORT = 7946
HTTPS_PORT = 443  # outside the stack: object stores, webhooks; and Grafana's port behind a cluster ingress
# Tempo receives OTLP from Alloy on the same well-known ports, inside the network only.

# Grafana datasource uids: the service name, plus the platform database.
POSTGRES_DATASOURCE_UID = "postgres"
DATASOURCE_UIDS = (LOKI, TEMPO, PROMETHEUS, POSTGRES_DATASOURCE_UID)

# Where provisioning and dashboards live inside the Grafana container: one tree, outside the data
# volume (/var/lib/grafana), so a removed dashboard file is really gone and the tree can be reloaded.
GRAFANA_PROVISIONING_DIR = "/etc/grafana/provisioning"
GRAFANA_DASHBOARDS_DIR = f"{GRAFANA_PROVISIONING_DIR}/dashboard-files"
DASHBOARD_FOLDER = "Platform"
DASHBOARD_FOLDER_UID = "platform"
ALERT_FOLDER = "Platform alerts"  # alert rules are provisioned by folder title; Grafana picks its uid

# The canary (components/services/canary.py): what it sends and what the canary rules and Stack Health
# select it by. The secret is fake: its only job is to prove redaction end to end.
CANARY = "canary"
CANARY_SERVICE_NAME = "obs-canary"  # OTLP service.name: Loki's service_name, Prometheus' job, span metrics' service
CANARY_METRIC = "obs_canary_sent_timestamp_seconds"  # a gauge: the Unix time the canary sent it
CANARY_FAKE_SECRET = "canary-fake-secret-7d41e09b"  # noqa: S105 - not a credential
CANARY_INTERVAL_SECONDS = 60
CANARY_MEMORY_MB = 16  # counted in memoryBudgetMb beside the services' limits

# Secrets reach containers as files (the `__FILE` forms), never as plain env values.
SECRETS_DIR = "/run/secrets"
GRAFANA_ADMIN_PASSWORD_FILE = f"{SECRETS_DIR}/{GRAFANA_ADMIN_PASSWORD}"
GRAFANA_SECRET_KEY_FILE = f"{SECRETS_DIR}/{GRAFANA_SECRET_KEY}"
POSTGRES_READONLY_PASSWORD_FILE = f"{SECRETS_DIR}/{POSTGRES_READONLY_PASSWORD}"
ALERT_CONTACT_URL_FILE = f"{SECRETS_DIR}/{ALERT_CONTACT_URL}"
SMTP_PASSWORD_FILE = f"{SECRETS_DIR}/{SMTP_PASSWORD}"

# TLS material inside the proxy container.
TLS_CERT_PATH = "/etc/nginx/tls/tls.crt"
TLS_KEY_PATH = "/etc/nginx/tls/tls.key"

# The read-only database role Grafana uses (ADR-031 "Database Access").
POSTGRES_READONLY_USER = "grafana_readonly"

# The log pipeline's output shape (config/alloy/logs-process.alloy): which platform fields become Loki stream
# labels (bounded values) and which structured metadata (per flow or per request: labels would multiply
# streams toward Loki's max_global_streams_per_user). Dashboards and alert rules select streams only by
# labels and reach metadata with label filters (`| flow_id="…"`).
LOG_STREAM_LABELS = ("level", "client_account_id", "service_name")
LOG_STRUCTURED_METADATA = ("engagement_id", "flow_id", "agent", "phase", "status", "trace_id", "span_id")
# Demo data (demoData, local only): the stack's own Postgres, loaded with the platform's schema.
DEMO_POSTGRES = "demo-postgres"
POSTGRES_PORT = 5432
PLATFORM_DATABASE = "migration_db"
