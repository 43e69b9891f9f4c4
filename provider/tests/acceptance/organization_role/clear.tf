# The descriptions and the permission set are cleared.
resource "workos_organization" "o" {
  name = "${run} Role Org"
}
resource "workos_permission" "read" {
  slug = "${run}-reports-read"
  name = "Read all reports"
}
resource "workos_permission" "write" {
  slug = "${run}-reports-write"
  name = "Write reports"
}
resource "workos_organization_role" "r" {
  organization_id = workos_organization.o.id
  slug            = "org-${run}-analyst"
  name            = "Senior analyst"
  permissions     = []
}
