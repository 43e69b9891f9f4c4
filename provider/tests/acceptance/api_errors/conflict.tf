resource "workos_user" "first" {
  email = "twice@errors.example"
}
resource "workos_user" "second" {
  email      = "twice@errors.example"
  depends_on = [workos_user.first]
}
