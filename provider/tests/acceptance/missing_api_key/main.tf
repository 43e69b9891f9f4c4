resource "workos_organization" "o" {
  name = "${run} No key"
}
