resource "workos_user" "u" {
  email = "not-an-email"
}
