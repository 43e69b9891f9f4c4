resource "workos_user" "u" {
  email    = "${run}-ada@users.example"
  password = "never stored"
}
