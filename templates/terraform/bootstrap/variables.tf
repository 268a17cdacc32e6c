variable "bucket_name" {
  description = "Name of the state bucket, <project>-<env>-tfstate."
  type        = string
}

variable "region" {
  description = "AWS region of the bucket."
  type        = string
  default     = "ap-southeast-3"
}

variable "tags" {
  description = "Tags on every resource (Project, Environment, Owner)."
  type        = map(string)
  default     = {}
}
