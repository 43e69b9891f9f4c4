resource "workos_user" "u" {
  email          = "${run}-ada@users.example"
  first_name     = "Augusta"
  email_verified = false
}
