terraform {
  required_providers {
    workos = { source = "workos-rs/workos" }
  }
}

resource "workos_webhook_endpoint" "example" {
  endpoint_url = "https://example.com/webhooks/workos"
  events       = ["user.created", "organization.updated"]
}

