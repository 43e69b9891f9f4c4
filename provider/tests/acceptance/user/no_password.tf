resource "workos_user" "u" {
  email          = "${run}-ada@users.example"
  email_verified = false
}
