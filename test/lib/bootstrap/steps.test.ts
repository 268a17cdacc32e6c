import {expect} from 'chai'

import {UsageError} from '../../../src/lib/errors.ts'
import {
  STEP_IDS,
  STEP_TITLES,
  type StepId,
  WRITE_STEPS,
  resumeCommand,
  selectSteps,
  splitList,
  toolsFor,
} from '../../../src/lib/bootstrap/steps.ts'

function usage(fn: () => unknown): UsageError {
  try {
    fn()
  } catch (error) {
    expect(error).to.be.instanceOf(UsageError)
    expect((error as UsageError).exitCode).to.equal(2)
    return error as UsageError
  }
  throw new Error('expected a UsageError')
}

describe('bootstrap step control', () => {
  const cases: Array<[string, Parameters<typeof selectSteps>[0], string[]]> = [
    ['everything by default', {}, [...STEP_IDS]],
    [
      '--from resumes at a step (identity kept: it guards the writes)',
      {from: 'kubeconfig'},
      ['identity', 'kubeconfig', 'flux', 'applications', 'health'],
    ],
    ['--from health needs no guard (health writes nothing)', {from: 'health'}, ['health']],
    ['--only one write step brings the guard', {only: ['infrastructure']}, ['identity', 'infrastructure']],
    ['--only keeps the step order', {only: ['flux,preflight']}, ['preflight', 'identity', 'flux']],
    ['--only repeated', {only: ['health', 'preflight']}, ['preflight', 'health']],
    [
      '--skip removes steps',
      {skip: ['quota,secrets', 'health']},
      [
        'preflight',
        'identity',
        'oidc',
        'spot-role',
        'dns',
        'state-backend',
        'infrastructure',
        'kubeconfig',
        'flux',
        'applications',
      ],
    ],
    [
      '--from with --skip',
      {from: 'infrastructure', skip: ['flux']},
      ['identity', 'infrastructure', 'kubeconfig', 'applications', 'health'],
    ],
    ['whitespace is trimmed', {only: [' preflight , health ']}, ['preflight', 'health']],
  ]
  for (const [what, control, expected] of cases) {
    it(what, () => expect(selectSteps(control)).to.deep.equal(expected))
  }

  const bad: Array<[string, Parameters<typeof selectSteps>[0], RegExp]> = [
    ['unknown --from', {from: 'infra'}, /--from: unknown step "infra"/],
    ['unknown --only', {only: ['flux,helm', 'kube']}, /--only: unknown step "helm", "kube"/],
    ['unknown --skip', {skip: ['route53']}, /--skip: unknown step "route53"/],
    ['--from with --only', {from: 'flux', only: ['health']}, /cannot be combined/],
    ['skipping the guard', {skip: ['identity']}, /account guard always runs/],
    ['skipping everything selected', {only: ['health'], skip: ['health']}, /No step left/],
    // A step flag that names no step is an error, never "all ten steps".
    ['--only ""', {only: ['']}, /^--only "": an empty step name/],
    ['--only ,', {only: [',']}, /^--only ",": an empty step name/],
    ['--skip ""', {skip: ['']}, /^--skip "": an empty step name/],
    ['--only " "', {only: [' ']}, /^--only " ": an empty step name/],
    ['--skip ,,', {skip: [',,']}, /^--skip ",,": an empty step name/],
    ['--only flux, (a trailing comma)', {only: ['flux,']}, /^--only "flux,": an empty step name/],
    ['--only flux,,health', {only: ['flux,,health']}, /an empty step name/],
    ['--only repeated with an empty one', {only: ['flux', '']}, /^--only "flux" "": an empty step name/],
    ['--from ""', {from: ''}, /^--from "": an empty step name/],
    ['--skip "" with --from', {from: 'flux', skip: ['']}, /^--skip "": an empty step name/],
  ]
  for (const [what, control, message] of bad) {
    it(`refuses ${what} (exit 2, listing the valid ids)`, () => {
      const error = usage(() => selectSteps(control))
      expect(error.message).to.match(message)
      expect(error.hint).to.include(
        'preflight, identity, oidc, spot-role, dns, state-backend, secrets, quota, infrastructure',
      )
    })
  }

  it('splits comma lists and repeated values', () => {
    expect(splitList(['a,b', ' c ', ''])).to.deep.equal(['a', 'b', 'c'])
    expect(splitList(undefined)).to.deep.equal([])
    expect(splitList('x')).to.deep.equal(['x'])
  })

  const tools: Array<[string[], string[]]> = [
    [[...STEP_IDS], ['terraform', 'flux', 'aws', 'git']],
    [['preflight', 'identity', 'infrastructure'], ['terraform']],
    [['kubeconfig'], ['aws']],
    [
      ['flux', 'health'],
      ['flux', 'git'],
    ],
    [['health'], []],
  ]
  for (const [steps, expected] of tools) {
    it(`preflight checks ${expected.join(', ') || 'no tools'} for ${steps.join(',')}`, () =>
      expect(toolsFor(steps as never)).to.deep.equal(expected))
  }

  const resumes: Array<[string, string[] | undefined, string]> = [
    ['infrastructure', undefined, 'piksel bootstrap -e staging --from infrastructure'],
    ['infrastructure', [...STEP_IDS], 'piksel bootstrap -e staging --from infrastructure'],
    [
      'infrastructure',
      ['identity', 'infrastructure', 'kubeconfig'],
      'piksel bootstrap -e staging --from infrastructure --skip flux,applications,health',
    ],
    [
      'flux',
      ['preflight', 'identity', 'flux', 'health'],
      'piksel bootstrap -e staging --from flux --skip applications',
    ],
  ]
  for (const [step, selected, expected] of resumes) {
    it(`resume: ${expected}`, () =>
      expect(resumeCommand('staging', step as never, selected as never)).to.equal(expected))
  }

  it('resume repeats the flags that chose the target, quoted for the shell', () => {
    const flags = {
      'infra-dir': '../ops/piksel infra',
      kubeconfig: "/home/o'neil/.kube/staging",
      config: 'piksel.config.yaml',
      'gitops-path': 'clusters/staging-2',
      profile: 'staging-admin',
      timeout: '30m',
    }
    expect(resumeCommand('staging', 'kubeconfig', ['identity', 'kubeconfig', 'health'], flags)).to.equal(
      "piksel bootstrap -e staging --from kubeconfig --skip flux,applications --config piksel.config.yaml --profile staging-admin --infra-dir '../ops/piksel infra' --kubeconfig '/home/o'\\''neil/.kube/staging' --gitops-path clusters/staging-2 --timeout 30m",
    )
  })
})

describe('bootstrap steps: which write, which tools, how to resume', () => {
  // The steps that write (AWS, Terraform state, kubeconfig, Git) bring the account
  // guard (identity) with them; the others run alone.
  const writes: Record<StepId, boolean> = {
    preflight: false,
    identity: false,
    oidc: true,
    'spot-role': true,
    // dns only checks: it never creates or changes DNS.
    dns: false,
    'state-backend': true,
    secrets: true,
    quota: true,
    infrastructure: true,
    kubeconfig: true,
    flux: true,
    applications: true,
    health: false,
  }
  for (const step of STEP_IDS) {
    const expected = writes[step] ? ['identity', step] : [step]
    it(`--only ${step} runs ${expected.join(', ')}`, () => {
      expect(selectSteps({only: [step]})).to.deep.equal(expected)
      expect(WRITE_STEPS.includes(step)).to.equal(writes[step])
    })
  }

  // The tools each step runs as child processes (preflight checks only these).
  const tools: Record<StepId, string[]> = {
    preflight: [],
    identity: [],
    // The account steps call IAM and Route 53 through the SDK: no child process.
    oidc: [],
    'spot-role': [],
    dns: [],
    // The bucket is read with the S3 SDK; only the bootstrap root runs a child (terraform).
    'state-backend': ['terraform'],
    secrets: [],
    quota: [],
    infrastructure: ['terraform'],
    kubeconfig: ['aws'],
    flux: ['flux', 'git'],
    applications: ['terraform'],
    health: [],
  }
  for (const step of STEP_IDS) {
    it(`preflight for ${step} alone checks ${tools[step].join(', ') || 'no tool'}`, () => {
      expect(toolsFor([step])).to.deep.equal(tools[step])
    })
  }
  it('tools come in a stable order, whatever the step order', () => {
    expect(toolsFor(['flux', 'kubeconfig', 'applications'])).to.deep.equal(['terraform', 'flux', 'aws', 'git'])
  })

  it('every step has a title that names it ("State backend: …")', () => {
    for (const step of STEP_IDS) {
      const name = step.replace('-', ' ')
      // Case aside: the account steps' titles spell their acronyms (OIDC, DNS).
      expect(STEP_TITLES[step], step).to.match(new RegExp(`^${name}: \\S`, 'i'))
      expect(STEP_TITLES[step]![0], step).to.equal(STEP_TITLES[step]![0]!.toUpperCase())
    }
  })

  it('the resume command, run, selects the steps left (round trip through selectSteps)', () => {
    const selections: StepId[][] = [
      [...STEP_IDS],
      selectSteps({only: ['preflight']}),
      selectSteps({only: ['infrastructure', 'health']}),
      selectSteps({skip: ['quota', 'secrets']}),
      selectSteps({from: 'kubeconfig', skip: ['flux']}),
      selectSteps({only: ['health']}),
    ]
    for (const selected of selections) {
      for (const step of selected) {
        const command = resumeCommand('staging', step, selected)
        const from = /--from (\S+)/.exec(command)?.[1]
        const skip = /--skip (\S+)/.exec(command)?.[1]
        const resumed = selectSteps({from, skip: skip ? [skip] : undefined})
        const left = selected.slice(selected.indexOf(step))
        const why = `${selected.join(',')} stopped at ${step}: ${command}`
        // Every step left runs, in order, and nothing that was not selected — except the
        // guard, which --skip cannot drop and which every write needs.
        const notGuard = (ids: readonly StepId[]) => ids.filter((id) => id !== 'identity')
        expect(notGuard(resumed), why).to.deep.equal(notGuard(left))
        if (left.some((id) => writes[id])) expect(resumed, why).to.include('identity')
      }
    }
  })

  it('resuming at preflight of an --only preflight run never skips the guard', () => {
    expect(resumeCommand('dev', 'preflight', ['preflight'])).to.equal(
      'piksel bootstrap -e dev --from preflight --skip oidc,spot-role,dns,state-backend,secrets,quota,infrastructure,kubeconfig,flux,applications,health',
    )
  })

  it('refusals carry stable codes', () => {
    const codes: Array<[Parameters<typeof selectSteps>[0], string]> = [
      [{from: 'infra'}, 'UNKNOWN_STEP'],
      [{only: ['helm']}, 'UNKNOWN_STEP'],
      [{skip: ['route53']}, 'UNKNOWN_STEP'],
      [{from: 'flux', only: ['health']}, 'CONFLICTING_FLAGS'],
      [{skip: ['identity']}, 'GUARD_NOT_SKIPPABLE'],
      [{only: ['health'], skip: ['health']}, 'NO_STEPS'],
      [{only: []}, 'EMPTY_STEP'],
      [{only: [' ']}, 'EMPTY_STEP'],
      [{skip: ['flux,,health']}, 'EMPTY_STEP'],
      [{from: ''}, 'EMPTY_STEP'],
    ]
    for (const [control, code] of codes) expect(usage(() => selectSteps(control)).code, code).to.equal(code)
  })

  it('--from is trimmed', () => {
    expect(selectSteps({from: ' health '})).to.deep.equal(['health'])
  })
})
