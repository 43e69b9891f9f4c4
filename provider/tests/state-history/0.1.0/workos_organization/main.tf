terraform {
  required_providers {
    workos = { source = "workos-rs/workos" }
  }
}

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

