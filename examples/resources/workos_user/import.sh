# Import by <id>
terraform import workos_user.example "<id>"
