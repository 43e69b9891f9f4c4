# A hash without the algorithm that made it is half a variant.
resource "workos_user" "u" {
  email          = "${run}-ada@users.example"
  email_verified = false
  password_hash  = "$2a$10$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy"
}
