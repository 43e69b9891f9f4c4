# A password and a password hash are different choices of the spec's `password` group.
resource "workos_user" "u" {
  email              = "${run}-ada@users.example"
  email_verified     = false
  password           = "correct horse 3"
  password_hash      = "$2a$10$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy"
  password_hash_type = "bcrypt"
}
