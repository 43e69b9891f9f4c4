# A user migrated with the bcrypt hash of their password.
resource "workos_user" "u" {
  email              = "${run}-ada@users.example"
  email_verified     = false
  password_hash      = "$2a$10$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy"
  password_hash_type = "bcrypt"
}
