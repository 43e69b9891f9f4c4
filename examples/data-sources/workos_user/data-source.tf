data "workos_user" "ada" {
  email = "ada@example.com"
}
