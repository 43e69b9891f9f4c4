data "workos_organizations" "bulk" {
  search = "${run} Bulk"
}
# The emulator may repeat an item at a page boundary when items share a timestamp,
# so count distinct ids: every object must be reached.
output "bulk" { value = length(distinct(data.workos_organizations.bulk.organizations[*].id)) }
