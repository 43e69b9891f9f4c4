resource "workos_organization" "a" {
  name        = "${run} Lookup Alpha"
  external_id = "${run}-alpha"
  domains     = [{ domain = "${run}-alpha.example", state = "pending" }]
}
resource "workos_organization" "b" {
  name = "${run} Lookup Beta"
}
resource "workos_user" "u" {
  email = "${run}-finder@alpha.example"
}
data "workos_organization" "by_id" {
  id = workos_organization.a.id
}
data "workos_organization" "by_external_id" {
  external_id = workos_organization.a.external_id
}
data "workos_organization" "by_domain" {
  domain     = "${run}-alpha.example"
  depends_on = [workos_organization.a]
}
data "workos_organizations" "lookups" {
  search     = "${run} Lookup"
  depends_on = [workos_organization.a, workos_organization.b]
}
data "workos_user" "by_email" {
  email = workos_user.u.email
}
output "by_id" { value = data.workos_organization.by_id.name }
output "by_external_id" { value = data.workos_organization.by_external_id.id }
output "by_domain" { value = data.workos_organization.by_domain.id }
output "count" { value = length(data.workos_organizations.lookups.organizations) }
output "user" { value = data.workos_user.by_email.id }
