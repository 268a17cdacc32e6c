/**
 * What client-node's dist/config.js imports from its generated API index (`./gen/index.js`),
 * and nothing else: see client-node.ts, whose resolve hook hands config.js this module.
 * Both names come from client-node's own files, so KubeConfig.makeApiClient still works.
 */
export {createConfiguration} from '@kubernetes/client-node/dist/gen/configuration.js'
export {ServerConfiguration} from '@kubernetes/client-node/dist/gen/servers.js'
