output "bucket" {
  description = "The state bucket, for the environment's backend block."
  value       = aws_s3_bucket.state.bucket
}

output "bucket_arn" {
  value = aws_s3_bucket.state.arn
}
