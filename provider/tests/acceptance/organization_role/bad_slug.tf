# A slug of 49 characters.
resource "workos_permission" "p" {
  slug = "sssssssssssssssssssssssssssssssssssssssssssssssss"
  name = "x"
}
