resource "workos_webhook_endpoint" "w" {
  endpoint_url = "not a url"
  events       = ["user.created"]
}
