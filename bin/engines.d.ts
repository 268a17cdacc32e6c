/** Does `version` (e.g. v20.20.2) satisfy `range`? undefined when the range is beyond this checker. */
export function satisfies(version: string, range: string): boolean | undefined
/** The one line for an unsupported Node, or null when this one is fine (or the range is unknown). */
export function unsupportedNode(version: string, range: string): string | null
