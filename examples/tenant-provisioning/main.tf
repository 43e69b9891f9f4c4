# Tenant provisioning: WorkOS posts organization events to your receiver, which creates a
# tenant (a catalog row and a database of its own) for each new organization.
# The endpoint, its events and its signing secret are managed here; see README.md.
terraform {
  required_providers {
    workos = {
      source = "workos-rs/workos"
    }
  }
}

# Reads WORKOS_API_KEY (and WORKOS_BASE_URL for a local emulator) from the environment.
provider "workos" {}

variable "receiver_url" {
  description = "Where WorkOS posts the events: the receiver's /webhooks/workos URL (HTTPS for WorkOS itself)."
  type        = string
  default     = "http://127.0.0.1:8080/webhooks/workos"
}

resource "workos_webhook_endpoint" "tenants" {
  endpoint_url = var.receiver_url
  events       = ["organization.created", "organization.deleted"]
}

output "webhook_endpoint_id" {
  value = workos_webhook_endpoint.tenants.id
}

# The signing secret: returned once by WorkOS when the endpoint is created and kept in state.
# Read it with `terraform output -raw webhook_secret`; rotate it by replacing the endpoint
# (`terraform apply -replace=workos_webhook_endpoint.tenants`).
output "webhook_secret" {
  value     = workos_webhook_endpoint.tenants.secret
  sensitive = true
}
