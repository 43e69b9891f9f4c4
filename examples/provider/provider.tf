terraform {
  required_providers {
    workos = {
      source = "workos-rs/workos"
    }
  }
}

# api_key comes from WORKOS_API_KEY when not set here.
provider "workos" {}
