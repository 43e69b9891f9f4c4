resource "workos_user" "u" {
  email       = "${run}-ada@users.example"
  first_name  = "Ada"
  last_name   = "Lovelace"
  external_id = "${run}-u-1"
  metadata    = { team = "math", desk = "3" }
  ${password}
}
