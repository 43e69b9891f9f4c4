resource "workos_organization" "o" {
  name        = "Org One"
  external_id = "ext-1"
  metadata    = { tier = "gold", region = "eu" }
  domains     = [{ domain = "one.example", state = "pending" }]
}
