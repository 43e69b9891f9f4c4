resource "workos_organization" "o" {
  name               = "${run} Org One"
  external_id        = "${run}-ext-1"
  stripe_customer_id = "cus_${run}-1"
  metadata           = { tier = "gold", region = "eu" }
  domains            = [{ domain = "${run}-one.example", state = "pending" }]
}
