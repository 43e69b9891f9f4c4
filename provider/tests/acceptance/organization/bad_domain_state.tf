resource "workos_organization" "o" {
  name    = "x"
  domains = [{ domain = "a.example", state = "approved" }]
}
