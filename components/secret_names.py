"""The names of the stack's deploy-time secret values, in one place: what a spec's `Ref` names, what the
secret catalog (components/targets/secret_catalog.py) produces, what a target looks up, and the file name
a secret reaches a container as (constants.SECRETS_DIR)."""

GRAFANA_ADMIN_PASSWORD = "grafana_admin_password"
GRAFANA_SECRET_KEY = "grafana_secret_key"
POSTGRES_ADMIN_PASSWORD = "postgres_admin_password"
POSTGRES_READONLY_PASSWORD = "postgres_readonly_password"
ALERT_CONTACT_URL = "alert_contact_url"
SMTP_PASSWORD = "smtp_password"
REDIS_PASSWORD = "redis_password"
AZURE_STORAGE_KEY = "azure_storage_key"
TLS_CERTIFICATE = "tls_certificate"
TLS_PRIVATE_KEY = "tls_private_key"
GRAFANA_GITHUB_CLIENT_SECRET = "grafana_github_client_secret"
GRAFANA_CLOUD_TOKEN = "grafana_cloud_token"
RAILWAY_REGISTRY_PASSWORD = "railway_registry_password"
