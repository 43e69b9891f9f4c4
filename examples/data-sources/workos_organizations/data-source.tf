data "workos_organizations" "acme" {
  search = "Acme"
}
