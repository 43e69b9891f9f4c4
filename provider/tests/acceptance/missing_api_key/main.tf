resource "workos_organization" "o" {
  name = "No key"
}
