data "workos_organization" "x" {
  domain = "nobody.example"
}
