# The membership is deactivated (its roles as in update.tf).
resource "workos_organization" "o" {
  name = "${run} Member Org"
}
resource "workos_user" "u" {
  email = "${run}-grace@members.example"
}
resource "workos_organization_domain" "d" {
  organization_id = workos_organization.o.id
  domain          = "${run}-members.example"
  verify          = true
}
resource "workos_organization_membership" "m" {
  organization_id = workos_organization.o.id
  user_id         = workos_user.u.id
  roles           = ["admin"]
  status          = "inactive"
}
