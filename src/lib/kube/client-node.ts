/**
 * `@kubernetes/client-node`'s KubeConfig and Watch without its generated API, and with the
 * HTTP and proxy libraries they import loaded on first use.
 *
 * piksel uses two classes of client-node: KubeConfig (kubeconfig parsing and every auth method:
 * exec plugins such as `aws eks get-token`, client certificates, tokens, token files, OIDC,
 * the legacy azure/gcp providers, proxy-url agents) and Watch. The package index loads the
 * generated API as well: about 2,700 modules of models and API classes, measured at 0.5–0.8 s and
 * about 45 MiB on the 2-core bench machine (`npm run bench status`). Its `config.js` (KubeConfig)
 * imports only `createConfiguration` and `ServerConfiguration` from the generated index, for
 * `makeApiClient`, which piksel never calls; `watch.js` imports only `gen/http/http.js`.
 * Their imports of undici and of the proxy agents go to client-node-lazy.ts (see there).
 *
 * So both are imported through their own files (client-node 2.x has no `exports` map), and while
 * they load, a module resolve hook (node:module registerHooks) hands config.js a two-line index
 * (client-node-gen.ts) with just those two names, from client-node's own files, instead of the
 * generated one. Nothing of client-node is rewritten or copied: the auth code that runs is
 * client-node's own. When the layout changes (config.js imports more from the index, or from
 * elsewhere), loading fails or the hook no longer applies: test/lib/kube-client-node.test.ts
 * fails then, and the lazy-imports test checks that a cluster command loads no generated model.
 * Should the hook API be absent (it is in every Node piksel supports), the files load as they
 * are, generated index included.
 */
import * as nodeModule from 'node:module'

import type {KubeConfig as KubeConfigClass, Watch as WatchClass} from '@kubernetes/client-node'

export interface ClientNode {
  KubeConfig: typeof KubeConfigClass
  Watch: typeof WatchClass
}

/** The specifier config.js imports the generated API by (client-node 2.x dist/config.js). */
export const GENERATED_INDEX = './gen/index.js'
const CONFIG_FILE = /\/@kubernetes\/client-node\/dist\/config\.js$/

/** The libraries client-node-lazy.ts loads on first use, and the client-node files whose imports of them it takes. */
export const LAZY_LIBRARIES = ['undici', 'hpagent', 'socks', 'socks-proxy-agent']
export const LAZY_IMPORTERS = ['config.js', 'watch.js', 'gen/http/isomorphic-fetch.js']
const IMPORTER = new RegExp(
  `/@kubernetes/client-node/dist/(${LAZY_IMPORTERS.map((f) => f.replaceAll('.', '\\.')).join('|')})$`,
)

let hooked = false

function hookGeneratedIndex(): void {
  if (hooked) return
  hooked = true
  if (typeof nodeModule.registerHooks !== 'function') return
  // This file's own extension: .ts when run from source (tests), .js from dist.
  const extension = import.meta.url.slice(import.meta.url.lastIndexOf('.'))
  const lean = new URL(`./client-node-gen${extension}`, import.meta.url).href
  const lazy = new URL(`./client-node-lazy${extension}`, import.meta.url).href
  nodeModule.registerHooks({
    resolve(specifier, context, nextResolve) {
      const parent = context.parentURL ?? ''
      if (specifier === GENERATED_INDEX && CONFIG_FILE.test(parent)) {
        return {url: lean, shortCircuit: true}
      }
      if (LAZY_LIBRARIES.includes(specifier) && IMPORTER.test(parent)) {
        return {url: lazy, shortCircuit: true}
      }
      return nextResolve(specifier, context)
    },
  })
}

/** KubeConfig and Watch, loaded once (about 0.2 s instead of the package index's 0.7 s or more). */
export async function loadClientNode(): Promise<ClientNode> {
  hookGeneratedIndex()
  const [{KubeConfig}, {Watch}] = await Promise.all([
    import('@kubernetes/client-node/dist/config.js'),
    import('@kubernetes/client-node/dist/watch.js'),
  ])
  return {KubeConfig, Watch}
}
