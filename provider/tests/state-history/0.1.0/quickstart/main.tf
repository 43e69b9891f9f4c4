# Quickstart: an organization with a domain, a user, a membership and a role.
terraform {
  required_providers {
    workos = {
      source = "workos-rs/workos"
    }
  }
}

# Reads WORKOS_API_KEY (and WORKOS_BASE_URL for a local emulator) from the environment.
provider "workos" {}

resource "workos_organization" "acme" {
  name        = "Acme Corp"
  external_id = "acme-corp"
  domains = [
    { domain = "acme.example", state = "pending" },
  ]
  metadata = {
    plan = "enterprise"
  }
}

resource "workos_user" "ada" {
  email      = "ada@acme.example"
  first_name = "Ada"
  last_name  = "Lovelace"
}

resource "workos_permission" "reports_read" {
  slug        = "reports:read"
  name        = "Read reports"
  description = "View every report"
}

resource "workos_organization_role" "analyst" {
  organization_id = workos_organization.acme.id
  slug            = "org-analyst"
  name            = "Analyst"
  permissions     = [workos_permission.reports_read.slug]
}

resource "workos_organization_membership" "ada_at_acme" {
  organization_id = workos_organization.acme.id
  user_id         = workos_user.ada.id
  roles           = [workos_organization_role.analyst.slug]
}

output "organization_id" {
  value = workos_organization.acme.id
}

output "user_id" {
  value = workos_user.ada.id
}

output "membership_roles" {
  value = workos_organization_membership.ada_at_acme.roles
}

