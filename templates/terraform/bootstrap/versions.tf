# The Terraform state bucket of one environment (one AWS account).
# Written by `piksel init`; applied by `piksel bootstrap` (step state-backend)
# when the bucket does not exist yet.
#
# This root keeps its own state locally (it creates the bucket every other root
# keeps its state in). Commit terraform.tfstate with it, or keep it safe.
terraform {
  required_version = ">= 1.10.0"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = ">= 5.0"
    }
  }

  backend "local" {}
}

provider "aws" {
  region = var.region

  default_tags {
    tags = var.tags
  }
}
