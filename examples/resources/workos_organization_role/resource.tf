resource "workos_organization_role" "example" {
  organization_id = workos_organization.example.id
  slug            = "org-report-reader"
  name            = "Report reader"
  permissions     = [workos_permission.example.slug]
}
