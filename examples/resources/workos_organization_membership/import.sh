# Import by <id>
terraform import workos_organization_membership.example "<id>"
