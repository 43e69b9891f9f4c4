# Import by <id>
terraform import workos_organization.example "<id>"
