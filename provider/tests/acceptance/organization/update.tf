resource "workos_organization" "o" {
  name                                = "Org One Renamed"
  external_id                         = "ext-2"
  metadata                            = { tier = "platinum" }
  domains                             = [{ domain = "one.example", state = "verified" }, { domain = "two.example", state = "pending" }]
  allow_profiles_outside_organization = true
}
