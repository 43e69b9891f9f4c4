resource "workos_organization" "o" {
  name = "${run} Partial Org"
}
resource "workos_permission" "read" {
  slug = "${run}-reports-read"
  name = "Read reports"
}
resource "workos_organization_role" "r" {
  organization_id = workos_organization.o.id
  slug            = "org-${run}-analyst"
  name            = "Analyst"
  permissions     = [workos_permission.read.slug]
}
resource "workos_organization_role" "keep" {
  organization_id = workos_organization.o.id
  slug            = "org-${run}-auditor"
  name            = "Auditor"
  permissions     = [workos_permission.read.slug]
}
