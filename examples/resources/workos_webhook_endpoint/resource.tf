resource "workos_webhook_endpoint" "example" {
  endpoint_url = "https://example.com/webhooks/workos"
  events       = ["user.created", "organization.updated"]
}
