// The AWS stand-in: moto_server on loopback, reached through AWS_ENDPOINT_URL.
import {launchMoto} from '../../test/support/moto.ts'

export default async function aws(ctx) {
  const moto = await launchMoto()
  ctx.onExit(() => moto.stop())
  Object.assign(ctx.env, {
    AWS_ENDPOINT_URL: moto.endpoint,
    AWS_ACCESS_KEY_ID: 'sandbox',
    AWS_SECRET_ACCESS_KEY: 'sandbox',
    AWS_REGION: 'ap-southeast-3',
  })
  ctx.say(`AWS stand-in (moto) at ${moto.endpoint}; piksel reaches it through AWS_ENDPOINT_URL.`)
}
