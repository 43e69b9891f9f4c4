# Import by <id>
terraform import workos_organization_domain.example "<id>"
