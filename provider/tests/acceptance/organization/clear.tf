# external_id and metadata removed from the configuration, domains emptied.
resource "workos_organization" "o" {
  name    = "${run} Org One Renamed"
  domains = []
}
