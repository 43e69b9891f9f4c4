# Import by <id>
terraform import workos_user.example "<id>"

# Import by external_id (looked up)
terraform import workos_user.example "external_id=<external_id>"
