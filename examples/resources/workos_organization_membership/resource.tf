resource "workos_organization_membership" "example" {
  organization_id = workos_organization.example.id
  user_id         = workos_user.example.id
  roles           = ["member"]
}
