resource "workos_webhook_endpoint" "w" {
  endpoint_url = "ftp://example.com/hooks"
  events       = ["user.created"]
}
