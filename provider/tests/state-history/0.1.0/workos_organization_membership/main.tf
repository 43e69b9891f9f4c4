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

resource "workos_user" "example" {
  email      = "ada@example.com"
  first_name = "Ada"
  last_name  = "Lovelace"
}

resource "workos_organization_membership" "example" {
  organization_id = workos_organization.example.id
  user_id         = workos_user.example.id
  roles           = ["member"]
}

