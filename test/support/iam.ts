/**
 * IAM and Route 53 fixtures in moto for the account steps' tests: clients for the tests' own
 * reads and writes (never the code under test's), and the Spot service-linked role as AWS
 * names it. moto's CreateServiceLinkedRole names the Spot role `AWSServiceRoleForspot` (its
 * name table lacks spot.amazonaws.com), so where a test needs the role to exist, it is made
 * here with AWS's name and path.
 */
import type {Moto} from './moto.ts'

const credentials = {accessKeyId: 'testing', secretAccessKey: 'testing'}

export async function iamClient(moto: Moto) {
  const {IAMClient} = await import('@aws-sdk/client-iam')
  return new IAMClient({region: 'us-east-1', endpoint: moto.endpoint, credentials})
}

export async function route53Client(moto: Moto) {
  const {Route53Client} = await import('@aws-sdk/client-route-53')
  return new Route53Client({region: 'us-east-1', endpoint: moto.endpoint, credentials})
}

/** AWSServiceRoleForEC2Spot as AWS creates it (path /aws-service-role/spot.amazonaws.com/). */
export async function createAwsSpotRole(moto: Moto): Promise<string> {
  const {CreateRoleCommand} = await import('@aws-sdk/client-iam')
  const iam = await iamClient(moto)
  try {
    const out = await iam.send(
      new CreateRoleCommand({
        RoleName: 'AWSServiceRoleForEC2Spot',
        Path: '/aws-service-role/spot.amazonaws.com/',
        AssumeRolePolicyDocument: JSON.stringify({
          Version: '2012-10-17',
          Statement: [{Effect: 'Allow', Principal: {Service: 'spot.amazonaws.com'}, Action: 'sts:AssumeRole'}],
        }),
      }),
    )
    return out.Role!.Arn!
  } finally {
    iam.destroy()
  }
}
