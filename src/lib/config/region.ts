/**
 * The one rule for an AWS region name, shared by the config schema (`region:`)
 * and `--region` / AWS_REGION / AWS_DEFAULT_REGION. Pure, no dependencies (so
 * every command can check `--region` without loading the schema library).
 * The shape is AWS's own: `<area>[-gov|-iso…]-<direction>-<n>`, lowercase
 * (e.g. ap-southeast-3, us-gov-west-1, us-isob-east-1).
 */
import {UsageError} from '../errors.ts'

export const REGION_PATTERN = /^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d$/
export const REGION_RULE = 'must look like an AWS region, e.g. ap-southeast-3'

export function isRegion(value: string): boolean {
  return REGION_PATTERN.test(value)
}

/**
 * Refuses a region that does not look like one (exit 2, `INVALID_REGION`), naming
 * where it came from (`--region`, `AWS_REGION`, ...). The value is not secret.
 */
export function assertRegion(value: string, source: string): void {
  if (isRegion(value)) return
  const lower = value.toLowerCase()
  const suggestion = lower !== value && isRegion(lower) ? ` Did you mean ${lower}?` : ''
  throw new UsageError(`${source} ${JSON.stringify(value)}: ${REGION_RULE} (lowercase).${suggestion}`, {
    code: 'INVALID_REGION',
    hint: `Pass a region as AWS writes it, e.g. --region ap-southeast-3.`,
  })
}
