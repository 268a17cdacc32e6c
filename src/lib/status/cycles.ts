/**
 * `spec.dependsOn` cycles. Flux does not detect them: each object in a cycle waits
 * (`Ready=False`, `DependencyNotReady`) for the next one, for ever, once any of them is not
 * ready. Pure: keys in, cycles out.
 */

/**
 * The cycles of a dependency graph: the strongly connected components with more than one
 * member, and members that depend on themselves (Tarjan's algorithm, iterative so a long
 * chain cannot overflow the stack). Each cycle is listed in dependency order starting from its
 * smallest key (a -> b -> c means a depends on b, b on c, c on a), and cycles are sorted by
 * that first key, so the answer does not depend on the input order.
 *
 * `edges`: key -> keys it depends on (keys absent from `edges` are leaves).
 */
export function findCycles(edges: ReadonlyMap<string, readonly string[]>): string[][] {
  const index = new Map<string, number>()
  const low = new Map<string, number>()
  const onStack = new Set<string>()
  const stack: string[] = []
  const components: string[][] = []
  let next = 0

  for (const root of [...edges.keys()].sort()) {
    if (index.has(root)) continue
    // Each frame: a node and the position of the next neighbour to visit.
    const frames: Array<{node: string; i: number}> = [{node: root, i: 0}]
    index.set(root, next)
    low.set(root, next++)
    stack.push(root)
    onStack.add(root)
    while (frames.length > 0) {
      const frame = frames.at(-1) as {node: string; i: number}
      const neighbours = edges.get(frame.node) ?? []
      if (frame.i < neighbours.length) {
        const to = neighbours[frame.i++] as string
        if (!index.has(to)) {
          index.set(to, next)
          low.set(to, next++)
          stack.push(to)
          onStack.add(to)
          frames.push({node: to, i: 0})
        } else if (onStack.has(to)) {
          low.set(frame.node, Math.min(low.get(frame.node) as number, index.get(to) as number))
        }
        continue
      }
      frames.pop()
      const parent = frames.at(-1)
      if (parent) low.set(parent.node, Math.min(low.get(parent.node) as number, low.get(frame.node) as number))
      if (low.get(frame.node) === index.get(frame.node)) {
        const component: string[] = []
        let member: string | undefined
        do {
          member = stack.pop() as string
          onStack.delete(member)
          component.push(member)
        } while (member !== frame.node)
        const selfLoop = component.length === 1 && (edges.get(frame.node) ?? []).includes(frame.node)
        if (component.length > 1 || selfLoop) components.push(component)
      }
    }
  }
  return components
    .map((c) => inDependencyOrder(c, edges))
    .sort((a, b) => (a[0] as string).localeCompare(b[0] as string))
}

/** The members of one cycle, from the smallest key, each followed by one it depends on inside the cycle. */
function inDependencyOrder(component: string[], edges: ReadonlyMap<string, readonly string[]>): string[] {
  const members = new Set(component)
  const start = [...component].sort()[0] as string
  const order = [start]
  const seen = new Set(order)
  let current = start
  for (;;) {
    const nextMember = (edges.get(current) ?? []).filter((k) => members.has(k) && !seen.has(k)).sort()[0]
    if (!nextMember) break
    order.push(nextMember)
    seen.add(nextMember)
    current = nextMember
  }
  // A component is strongly connected, but a simple walk may not reach every member
  // (e.g. a figure eight); the rest follow in key order.
  for (const k of [...component].sort()) if (!seen.has(k)) order.push(k)
  return order
}
