/**
 * The HTTP and proxy libraries client-node's KubeConfig and Watch import at the top of their
 * files, loaded on first use instead: undici (its fetch, for watches and makeApiClient, and its
 * dispatchers), and the agents of a cluster's `proxy-url` (hpagent for HTTP(S), socks-proxy-agent
 * and socks for SOCKS). A list of `status` uses none of them (node:http with piksel's agent), a
 * watch only undici; loading them up front cost about 40 ms and 9 MiB RSS of every cluster command
 * (measured on `status --json --all`, 2,000 objects; undici alone is 109 modules).
 *
 * Each export stands for the library's own class, object or function under the name client-node
 * imports: constructing, calling or reading it loads the library (resolved from client-node's
 * files, so the very copy client-node would use) and forwards to it. `new Agent(...)` returns
 * undici's own Agent. client-node.ts hands these to client-node's files through its resolve hook;
 * test/lib/kube-client-node.test.ts checks that they cover every name those files import.
 */
import {createRequire} from 'node:module'

import type {HttpProxyAgent as HttpProxy, HttpsProxyAgent as HttpsProxy} from 'hpagent'
import type {SocksClient as Socks} from 'socks'
import type {SocksProxyAgent as SocksProxy} from 'socks-proxy-agent'
import type {Agent as UndiciAgent, ProxyAgent as UndiciProxyAgent, fetch as undiciFetch} from 'undici'

// Resolved from client-node's package (its files' own node_modules lookup), but not from one of
// the files whose imports the resolve hook takes: this require must reach the real library.
const load = createRequire(import.meta.resolve('@kubernetes/client-node/package.json'))

/** A stand-in for `require(library)[name]`: loaded on the first construct, call or property read. */
function lazy<T extends object>(library: string, name: string): T {
  let real: T | undefined
  const target = (): T => (real ??= (load(library) as Record<string, T>)[name]!)
  // A function target, so both `new` and a call reach the traps.
  return new Proxy(function () {} as unknown as T, {
    construct: (_, args) => Reflect.construct(target() as never, args),
    apply: (_, self, args) => Reflect.apply(target() as never, self, args),
    get: (_, key) => Reflect.get(target(), key),
  })
}

export const Agent = lazy<typeof UndiciAgent>('undici', 'Agent')
export const ProxyAgent = lazy<typeof UndiciProxyAgent>('undici', 'ProxyAgent')
export const fetch = lazy<typeof undiciFetch>('undici', 'fetch')
export const SocksProxyAgent = lazy<typeof SocksProxy>('socks-proxy-agent', 'SocksProxyAgent')
export const SocksClient = lazy<typeof Socks>('socks', 'SocksClient')
export const HttpProxyAgent = lazy<typeof HttpProxy>('hpagent', 'HttpProxyAgent')
export const HttpsProxyAgent = lazy<typeof HttpsProxy>('hpagent', 'HttpsProxyAgent')
