resource "workos_organization" "example" {
  name        = "Example Corp"
  external_id = "example-corp"
  domains = [
    { domain = "example.com", state = "pending" },
  ]
  metadata = {
    tier = "gold"
  }
}
