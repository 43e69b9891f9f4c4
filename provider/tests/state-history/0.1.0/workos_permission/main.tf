terraform {
  required_providers {
    workos = { source = "workos-rs/workos" }
  }
}

resource "workos_permission" "example" {
  slug        = "reports:read"
  name        = "Read reports"
  description = "View every report"
}

