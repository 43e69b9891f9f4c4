# Import by <organization_id>/<slug>
terraform import workos_organization_role.example "<organization_id>/<slug>"
