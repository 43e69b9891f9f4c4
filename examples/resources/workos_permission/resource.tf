resource "workos_permission" "example" {
  slug        = "reports:read"
  name        = "Read reports"
  description = "View every report"
}
