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

resource "workos_permission" "example" {
  slug        = "reports:read"
  name        = "Read reports"
  description = "View every report"
}

resource "workos_organization_role" "example" {
  organization_id = workos_organization.example.id
  slug            = "org-report-reader"
  name            = "Report reader"
  permissions     = [workos_permission.example.slug]
}

