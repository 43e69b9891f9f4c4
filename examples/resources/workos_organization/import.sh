# Import by <id>
terraform import workos_organization.example "<id>"

# Import by external_id (looked up)
terraform import workos_organization.example "external_id=<external_id>"
