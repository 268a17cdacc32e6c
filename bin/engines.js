// Which Node versions piksel runs on: package.json's `engines.node`, checked
// before anything else loads. Written in the syntax every Node since 12 parses
// (no optional chaining, no top-level await), so an old Node reads this and
// says so in one line instead of failing on a SyntaxError.

function parse(version) {
  var m = /^v?(\d+)(?:\.(\d+))?(?:\.(\d+))?/.exec(String(version).trim())
  return m ? [Number(m[1]), Number(m[2] || 0), Number(m[3] || 0)] : null
}

function compare(a, b) {
  for (var i = 0; i < 3; i++) if (a[i] !== b[i]) return a[i] < b[i] ? -1 : 1
  return 0
}

// One comparator of a range: ^1.2.3, ~1.2.3, >=1.2.3, >1.2.3, <=1.2.3, <1.2.3, =1.2.3, 1.2.3.
// Returns undefined for syntax this small checker does not know.
function test(version, comparator) {
  var m = /^(\^|~|>=|<=|>|<|=)?\s*v?(\d+(?:\.\d+){0,2})$/.exec(comparator)
  if (!m) return undefined
  var op = m[1] || '='
  var want = parse(m[2])
  var c = compare(version, want)
  if (op === '^') return c >= 0 && version[0] === want[0]
  if (op === '~') return c >= 0 && version[0] === want[0] && version[1] === want[1]
  if (op === '>=') return c >= 0
  if (op === '>') return c > 0
  if (op === '<=') return c <= 0
  if (op === '<') return c < 0
  return c === 0
}

/** Does `version` (e.g. v20.20.2) satisfy `range`? undefined when the range is beyond this checker. */
export function satisfies(version, range) {
  var v = parse(version)
  if (!v || !range) return undefined
  var alternatives = String(range).split('||')
  var unknown = false
  for (var i = 0; i < alternatives.length; i++) {
    var comparators = alternatives[i].trim().split(/\s+/).filter(Boolean)
    var all = comparators.length > 0
    for (var j = 0; j < comparators.length; j++) {
      var ok = test(v, comparators[j])
      if (ok === undefined) unknown = true
      if (ok !== true) all = false
    }
    if (all) return true
  }
  return unknown ? undefined : false
}

/** The one line for an unsupported Node, or null when this one is fine (or the range is unknown). */
export function unsupportedNode(version, range) {
  if (satisfies(version, range) !== false) return null
  return (
    'piksel needs Node.js ' +
    range +
    ' (this is Node.js ' +
    version +
    '); install a supported one, e.g. `nvm install 24`, and run piksel again.'
  )
}
