resource "workos_organization_domain" "example" {
  organization_id = workos_organization.example.id
  domain          = "example.org"
}
