resource "workos_user" "u" {
  email    = "ada@users.example"
  password = "never stored"
}
