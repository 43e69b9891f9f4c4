data "workos_organization" "x" {
  id          = "org_1"
  external_id = "e"
}
