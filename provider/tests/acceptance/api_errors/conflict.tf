resource "workos_user" "first" {
  email = "${run}-twice@errors.example"
}
resource "workos_user" "second" {
  email      = "${run}-twice@errors.example"
  depends_on = [workos_user.first]
}
