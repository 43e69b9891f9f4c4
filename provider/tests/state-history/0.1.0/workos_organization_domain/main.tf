terraform {
  required_providers {
    workos = { source = "workos-rs/workos" }
  }
}

resource "workos_organization" "example" {
  name = "Domain Corp"
}

resource "workos_organization_domain" "example" {
  organization_id = workos_organization.example.id
  domain          = "example.org"
}

