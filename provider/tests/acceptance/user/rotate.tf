resource "workos_user" "u" {
  email          = "ada@users.example"
  email_verified = false
  password       = "correct horse 2"
}
