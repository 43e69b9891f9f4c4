data "workos_organization" "by_domain" {
  domain = "example.com"
}
