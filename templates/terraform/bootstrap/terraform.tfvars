bucket_name = "{{bucket}}"
region      = "{{region}}"

tags = {
  Project     = "{{project}}"
  Environment = "{{env}}"
  Owner       = "{{owner}}"
  ManagedBy   = "terraform"
}
