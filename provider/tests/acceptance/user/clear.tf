# first_name, last_name, external_id and metadata removed from the configuration.
resource "workos_user" "u" {
  email          = "ada@users.example"
  email_verified = false
  ${password}
}
