# email_verified is not configured: its remote change is kept, never reverted.
resource "workos_user" "u" {
  email       = "${run}-ada@users.example"
  first_name  = "Augusta"
  last_name   = "King"
  external_id = "${run}-u-2"
  metadata    = { team = "math" }
  ${password}
}
