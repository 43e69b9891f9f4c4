# Another hash, another algorithm, a salt position (only ssha256 takes one).
resource "workos_user" "u" {
  email                  = "${run}-ada@users.example"
  email_verified         = false
  password_hash          = "{SSHA256}hashvalue-${run}-two"
  password_hash_type     = "ssha256"
  password_salt_position = "prefix"
}
