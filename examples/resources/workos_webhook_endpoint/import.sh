# Import by <id>
terraform import workos_webhook_endpoint.example "<id>"
