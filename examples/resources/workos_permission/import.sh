# Import by <slug>
terraform import workos_permission.example "<slug>"
