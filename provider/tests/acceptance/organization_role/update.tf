# The role's name, description and permission set change; a permission is renamed, another
# described anew.
resource "workos_organization" "o" {
  name = "Role Org"
}
resource "workos_permission" "read" {
  slug = "reports-read"
  name = "Read all reports"
}
resource "workos_permission" "write" {
  slug        = "reports-write"
  name        = "Write reports"
  description = "Change any report"
}
resource "workos_organization_role" "r" {
  organization_id = workos_organization.o.id
  slug            = "org-analyst"
  name            = "Senior analyst"
  description     = "Looks at more numbers"
  permissions     = [workos_permission.write.slug, workos_permission.read.slug]
}
