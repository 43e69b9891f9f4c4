resource "workos_organization" "o" {
  name        = "x"
  external_id = "caf\u00e9"
}
