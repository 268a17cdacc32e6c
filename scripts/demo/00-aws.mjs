// The AWS stand-in: moto_server on loopback, reached through AWS_ENDPOINT_URL.
import {spawn} from 'node:child_process'

export default async function aws(ctx) {
  const port = await ctx.freePort()
  const endpoint = `http://127.0.0.1:${port}`
  const child = spawn('moto_server', ['-H', '127.0.0.1', '-p', String(port)], {stdio: 'ignore'})
  ctx.onExit(async () => {
    child.kill('SIGTERM')
  })
  for (let i = 0; i < 200; i++) {
    try {
      if ((await fetch(`${endpoint}/moto-api/`)).ok) break
    } catch {
      await new Promise((r) => setTimeout(r, 100))
    }
  }
  Object.assign(ctx.env, {
    AWS_ENDPOINT_URL: endpoint,
    AWS_ACCESS_KEY_ID: 'sandbox',
    AWS_SECRET_ACCESS_KEY: 'sandbox',
    AWS_REGION: 'ap-southeast-3',
  })
  ctx.motoEndpoint = endpoint
  ctx.say(`AWS stand-in (moto) at ${endpoint}; piksel reaches it through AWS_ENDPOINT_URL.`)
}
