resource "workos_webhook_endpoint" "w" {
  endpoint_url = "http://127.0.0.1:9/${run}/hooks/v2"
  events       = ["organization.created", "user.updated"]
  status       = "disabled"
}
