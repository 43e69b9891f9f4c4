# A metadata key of 41 characters.
resource "workos_organization" "o" {
  name     = "x"
  metadata = { "kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk" = "v" }
}
