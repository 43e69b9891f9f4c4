terraform {
  required_providers {
    workos = { source = "workos-rs/workos" }
  }
}

resource "workos_user" "example" {
  email      = "ada@example.com"
  first_name = "Ada"
  last_name  = "Lovelace"
}

