# Import by <id>
terraform import mini_widget.example "<id>"
