data "workos_organization" "x" {
  domain = "${run}-nobody.example"
}
