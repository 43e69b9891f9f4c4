# The descriptions and the permission set are cleared.
resource "workos_organization" "o" {
  name = "Role Org"
}
resource "workos_permission" "read" {
  slug = "reports-read"
  name = "Read all reports"
}
resource "workos_permission" "write" {
  slug = "reports-write"
  name = "Write reports"
}
resource "workos_organization_role" "r" {
  organization_id = workos_organization.o.id
  slug            = "org-analyst"
  name            = "Senior analyst"
  permissions     = []
}
