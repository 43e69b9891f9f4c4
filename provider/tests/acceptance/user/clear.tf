# first_name, last_name, external_id and metadata removed from the configuration.
resource "workos_user" "u" {
  email          = "${run}-ada@users.example"
  email_verified = false
  ${password}
}
