resource "workos_organization" "o" {
  name                                = "${run} Org One Renamed"
  external_id                         = "${run}-ext-2"
  stripe_customer_id                  = "cus_${run}-2"
  metadata                            = { tier = "platinum" }
  domains                             = [{ domain = "${run}-one.example", state = "verified" }, { domain = "${run}-two.example", state = "pending" }]
  allow_profiles_outside_organization = true
}
