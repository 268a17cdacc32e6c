# The {{env}} environment's remote state: S3 with S3-native locking
# (use_lockfile needs Terraform >= 1.10; no DynamoDB table).
# Written by `piksel init`; the bucket comes from the bootstrap/{{env}} root.
terraform {
  backend "s3" {
    bucket       = "{{bucket}}"
    key          = "{{stateKey}}"
    region       = "{{region}}"
    use_lockfile = true
    encrypt      = true
  }
}
