"""Every GraphQL document the Railway target sends, in one place (tests validate each against the
published schema, shared/reference/railway/schema.graphql, with graphql-core), and which mutations are
safe to send twice (SAFE_TO_REPEAT: they set state; the creates and the deploy are not)."""

from __future__ import annotations

PROJECTS = """
query Projects($workspaceId: String) {
  projects(workspaceId: $workspaceId) { edges { node { id name description } } }
}"""

PROJECT = """
query Project($id: String!) { project(id: $id) { id name description workspaceId deletedAt } }"""

PROJECT_CREATE = """
mutation ProjectCreate($input: ProjectCreateInput!) {
  projectCreate(input: $input) { id name }
}"""

PROJECT_RENAME = """
mutation ProjectUpdate($id: String!, $input: ProjectUpdateInput!) {
  projectUpdate(id: $id, input: $input) { id name }
}"""

PROJECT_DELETE = """
mutation ProjectDelete($id: String!) { projectDelete(id: $id) }"""

ENVIRONMENTS = """
query Environments($projectId: String!) {
  environments(projectId: $projectId) { edges { node { id name } } }
}"""

ENVIRONMENT = """
query Environment($id: String!) { environment(id: $id) { id name projectId deletedAt } }"""

ENVIRONMENT_CREATE = """
mutation EnvironmentCreate($input: EnvironmentCreateInput!) {
  environmentCreate(input: $input) { id name }
}"""

ENVIRONMENT_RENAME = """
mutation EnvironmentRename($id: String!, $input: EnvironmentRenameInput!) {
  environmentRename(id: $id, input: $input) { id name }
}"""

ENVIRONMENT_DELETE = """
mutation EnvironmentDelete($id: String!) { environmentDelete(id: $id) }"""

SERVICES = """
query Services($projectId: String!) {
  project(id: $projectId) { services { edges { node { id name } } } }
}"""

SERVICE = """
query Service($id: String!) { service(id: $id) { id name projectId deletedAt } }"""

SERVICE_CREATE = """
mutation ServiceCreate($input: ServiceCreateInput!) {
  serviceCreate(input: $input) { id name }
}"""

SERVICE_RENAME = """
mutation ServiceUpdate($id: String!, $input: ServiceUpdateInput!) {
  serviceUpdate(id: $id, input: $input) { id name }
}"""

SERVICE_DELETE = """
mutation ServiceDelete($id: String!) { serviceDelete(id: $id) }"""

SERVICE_INSTANCE_UPDATE = """
mutation ServiceInstanceUpdate($serviceId: String!, $environmentId: String, $input: ServiceInstanceUpdateInput!) {
  serviceInstanceUpdate(serviceId: $serviceId, environmentId: $environmentId, input: $input)
}"""

SERVICE_INSTANCE = """
query ServiceInstance($serviceId: String!, $environmentId: String!) {
  serviceInstance(serviceId: $serviceId, environmentId: $environmentId) {
    source { image } startCommand healthcheckPath healthcheckTimeout restartPolicyType region
  }
}"""

SERVICE_INSTANCE_LIMITS_UPDATE = """
mutation ServiceInstanceLimitsUpdate($input: ServiceInstanceLimitsUpdateInput!) {
  serviceInstanceLimitsUpdate(input: $input)
}"""

VARIABLES = """
query Variables($projectId: String!, $environmentId: String!, $serviceId: String) {
  variables(projectId: $projectId, environmentId: $environmentId, serviceId: $serviceId, unrendered: true)
}"""

VARIABLES_UPSERT = """
mutation VariableCollectionUpsert($input: VariableCollectionUpsertInput!) {
  variableCollectionUpsert(input: $input)
}"""

VOLUMES = """
query Volumes($projectId: String!) {
  project(id: $projectId) {
    volumes { edges { node { id name volumeInstances { edges { node { id environmentId serviceId mountPath } } } } } }
  }
}"""

VOLUME_CREATE = """
mutation VolumeCreate($input: VolumeCreateInput!) {
  volumeCreate(input: $input) { id name }
}"""

VOLUME_RENAME = """
mutation VolumeUpdate($volumeId: String!, $input: VolumeUpdateInput!) {
  volumeUpdate(volumeId: $volumeId, input: $input) { id name }
}"""

VOLUME_INSTANCE_UPDATE = """
mutation VolumeInstanceUpdate($volumeId: String!, $environmentId: String, $input: VolumeInstanceUpdateInput!) {
  volumeInstanceUpdate(volumeId: $volumeId, environmentId: $environmentId, input: $input)
}"""

VOLUME_DELETE = """
mutation VolumeDelete($volumeId: String!) { volumeDelete(volumeId: $volumeId) }"""

DOMAINS = """
query Domains($projectId: String!, $environmentId: String!, $serviceId: String!) {
  domains(projectId: $projectId, environmentId: $environmentId, serviceId: $serviceId) {
    serviceDomains { id domain targetPort }
  }
}"""

SERVICE_DOMAIN_CREATE = """
mutation ServiceDomainCreate($input: ServiceDomainCreateInput!) {
  serviceDomainCreate(input: $input) { id domain targetPort }
}"""

SERVICE_DOMAIN_UPDATE = """
mutation ServiceDomainUpdate($input: ServiceDomainUpdateInput!) { serviceDomainUpdate(input: $input) }"""

SERVICE_DOMAIN_DELETE = """
mutation ServiceDomainDelete($id: String!) { serviceDomainDelete(id: $id) }"""

DEPLOY = """
mutation ServiceInstanceDeployV2($serviceId: String!, $environmentId: String!) {
  serviceInstanceDeployV2(serviceId: $serviceId, environmentId: $environmentId)
}"""

DEPLOYMENT = """
query Deployment($id: String!) {
  deployment(id: $id) { id status deploymentStopped instances { id status } }
}"""

# Mutations that set state: sending one twice (after a lost answer) ends as sending it once. A delete is
# here too: repeated after it happened, it finds the object gone, which the providers take as done.
SAFE_TO_REPEAT = frozenset({
    PROJECT_RENAME, PROJECT_DELETE, ENVIRONMENT_RENAME, ENVIRONMENT_DELETE, SERVICE_RENAME, SERVICE_DELETE,
    SERVICE_INSTANCE_UPDATE, SERVICE_INSTANCE_LIMITS_UPDATE, VARIABLES_UPSERT, VOLUME_RENAME,
    VOLUME_INSTANCE_UPDATE, VOLUME_DELETE, SERVICE_DOMAIN_UPDATE, SERVICE_DOMAIN_DELETE})

ALL = {name: document for name, document in globals().items() if name.isupper() and isinstance(document, str)}
