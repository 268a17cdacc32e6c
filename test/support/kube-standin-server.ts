/**
 * The Kubernetes stand-in as its own process, for the demo and the benchmark
 * (they run piksel and kubectl synchronously, which would block an in-process
 * server). Prints `listening <url>` once ready.
 *
 *   node test/support/kube-standin-server.ts [--fixture healthy.yaml]... [--generate N]
 *        [--kubeconfig FILE] [--context NAME] [--flip-to healthy.yaml --flip-after-ms 1500]
 *
 * --flip-to: once the first watch arrives, replace the objects with those of
 * another fixture, one at a time (`--flip-step-ms` apart), as controllers would.
 */
import {parseArgs} from 'node:util'

import {generateFluxObjects} from './flux-fixtures.ts'
import {KubeStandin, readFixture} from './kube-standin.ts'

const {values} = parseArgs({
  options: {
    fixture: {type: 'string', multiple: true},
    generate: {type: 'string'},
    kubeconfig: {type: 'string'},
    context: {type: 'string'},
    'flip-to': {type: 'string'},
    'flip-after-ms': {type: 'string', default: '1000'},
    'flip-step-ms': {type: 'string', default: '300'},
    port: {type: 'string', default: '0'},
  },
})

const objects = readFixture(...(values.fixture ?? []))
if (values.generate) objects.push(...generateFluxObjects(Number(values.generate)))
const standin = new KubeStandin({objects, bookmarkMs: 10_000})
await standin.listen(Number(values.port))
if (values.kubeconfig) {
  const {dirname, basename} = await import('node:path')
  standin.writeKubeconfig(dirname(values.kubeconfig), {file: basename(values.kubeconfig), context: values.context})
}

if (values['flip-to']) {
  const target = readFixture(values['flip-to'])
  let armed = true
  const timer = setInterval(() => {
    if (!armed || standin.watches().length === 0) return
    armed = false
    clearInterval(timer)
    const changed = target.filter((obj) => {
      const current = standin.get(obj.kind, obj.metadata.namespace ?? '', obj.metadata.name)
      return (
        JSON.stringify(current?.status) !== JSON.stringify(obj.status) ||
        JSON.stringify(current?.spec) !== JSON.stringify(obj.spec)
      )
    })
    let i = 0
    setTimeout(function step() {
      const obj = changed[i++]
      if (!obj) return
      standin.put(obj)
      setTimeout(step, Number(values['flip-step-ms']))
    }, Number(values['flip-after-ms']))
  }, 50)
}

process.stdout.write(`listening ${standin.url}\n`)
const stop = () => void standin.stop().then(() => process.exit(0))
process.on('SIGTERM', stop)
process.on('SIGINT', stop)
