# Three slashes: a URL parser would repair this into host "hook"; as written it has no host.
resource "workos_webhook_endpoint" "w" {
  endpoint_url = "https:///hook"
  events       = ["user.created"]
}
