# Only the salt position changes: the whole variant (hash and type) is sent with it.
resource "workos_user" "u" {
  email                  = "${run}-ada@users.example"
  email_verified         = false
  password_hash          = "{SSHA256}hashvalue-${run}-two"
  password_hash_type     = "ssha256"
  password_salt_position = "suffix"
}
