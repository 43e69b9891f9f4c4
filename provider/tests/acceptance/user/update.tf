# email_verified is not configured: its remote change is kept, never reverted.
resource "workos_user" "u" {
  email       = "ada@users.example"
  first_name  = "Augusta"
  last_name   = "King"
  external_id = "u-2"
  metadata    = { team = "math" }
  ${password}
}
