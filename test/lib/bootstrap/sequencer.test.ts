import {expect} from 'chai'

import type {BootstrapEvent, BootstrapIO, RunOptions} from '../../../src/lib/bootstrap/runner.ts'
import {runSteps} from '../../../src/lib/bootstrap/runner.ts'
import {selectSteps} from '../../../src/lib/bootstrap/steps.ts'
import {resolveSettings} from '../../../src/lib/config/environment.ts'
import {InterruptedError} from '../../../src/lib/errors.ts'
import {fakePorts} from '../../support/bootstrap.ts'

const ACCOUNT = '123456789012'

/**
 * The sequencer without a display: fake ports, a fake caller, steps that need
 * no cluster, Terraform or tool (identity, secrets, quota), so what is checked
 * is the order of the events, where it stops, and that prompts are the port's.
 */
describe('bootstrap sequencer (runSteps)', () => {
  const staging = {...resolveSettings().environments.staging!, account: ACCOUNT}

  function options(over: Partial<RunOptions> & {only?: string[]} = {}): RunOptions {
    const {only, ...rest} = over
    return {
      env: staging,
      session: {region: 'ap-southeast-3', profileSource: 'environment'},
      caller: async () => ({account: ACCOUNT, arn: `arn:aws:iam::${ACCOUNT}:user/ci`, userId: 'AIDA'}),
      steps: selectSteps({only}),
      infraDir: '/nonexistent',
      dryRun: false,
      allowDestroy: false,
      forceFlux: false,
      timeoutMs: 1_000,
      enginesRange: '>=22',
      ...rest,
    }
  }

  /** No terminal: a prompt fails the test. */
  const headless: BootstrapIO = {
    interactive: false,
    confirm: async (summary) => expect.fail(`nothing to confirm here, asked: ${summary}`),
    secret: async (message) => expect.fail(`no secret here, asked: ${message}`),
    sensitive: () => {},
  }

  /** The events as `type step` lines (and the failure's code). */
  function recorder(): {events: string[]; report: (event: BootstrapEvent) => void} {
    const events: string[] = []
    return {
      events,
      report: (event) => {
        const code = event.type === 'failed' ? ` ${event.error.code}` : ''
        const status = event.type === 'finished' ? ` ${event.outcome.status}` : ''
        events.push(`${event.type} ${event.step}${status}${code}`)
      },
    }
  }

  it('reports each selected step started and finished, in order, and stops at the first failure', async () => {
    const {ports} = fakePorts({missingSecrets: ['slack-alerts-staging']})
    const {events, report} = recorder()
    const run = await runSteps(options({only: ['secrets', 'quota']}), ports, headless, report)
    expect(events).to.deep.equal([
      'started identity',
      'finished identity done',
      'started secrets',
      'failed secrets SECRETS_MISSING',
    ])
    expect(run.failedAt).to.equal('secrets')
    expect(run.error?.hint).to.include('Then resume: piksel bootstrap -e staging --from secrets')
    expect(run.result.account).to.equal(ACCOUNT)
    expect(run.result.steps.find((s) => s.id === 'quota')).to.deep.include({status: 'skipped', detail: 'not reached'})
    expect(run.result.steps.find((s) => s.id === 'flux')).to.deep.include({status: 'skipped', detail: 'not selected'})
  })

  it('waits for the reporter on "started" before the step runs (a display catches up first)', async () => {
    const {ports} = fakePorts()
    const asked: string[] = []
    let release!: () => void
    const gate = new Promise<void>((resolve) => (release = resolve))
    const running = runSteps(
      options({
        only: ['identity'],
        caller: async () => {
          asked.push('caller')
          return {account: ACCOUNT, arn: `arn:aws:iam::${ACCOUNT}:user/ci`, userId: 'AIDA'}
        },
      }),
      ports,
      headless,
      (event) => (event.type === 'started' ? gate : undefined),
    )
    await new Promise((resolve) => setImmediate(resolve))
    expect(asked).to.deep.equal([])
    release()
    const run = await running
    expect(run.error).to.equal(undefined)
    expect(asked).to.deep.equal(['caller'])
  })

  it('a confirmation is the port the command provides: asked with the summary alone', async () => {
    const {ports, state} = fakePorts({quota: {below: 2, pending: 0, summary: '2 GPU quotas below 8 vCPUs'}})
    const asked: string[] = []
    const io: BootstrapIO = {
      ...headless,
      confirm: async (summary) => {
        asked.push(summary)
        return true
      },
    }
    const {events, report} = recorder()
    const run = await runSteps(options({only: ['quota'], requestQuotas: true}), ports, io, report)
    expect(run.error, run.error?.message).to.equal(undefined)
    expect(asked).to.deep.equal(['2 GPU quotas below 8 vCPUs. Request the increases now?'])
    expect(state.requested).to.equal(1)
    expect(events).to.deep.equal(['started identity', 'finished identity done', 'started quota', 'finished quota done'])
    expect(run.result.changed).to.equal(true)
  })

  it('stopped before a step: that step fails as interrupted, its hint the command that resumes', async () => {
    const stop = new AbortController()
    stop.abort()
    const {events, report} = recorder()
    const run = await runSteps(options({only: ['quota'], signal: stop.signal}), fakePorts().ports, headless, report)
    expect(events).to.deep.equal(['started identity', 'failed identity INTERRUPTED'])
    expect(run.error).to.be.instanceOf(InterruptedError)
    // The steps the run left out stay left out.
    expect(run.error?.hint).to.equal(
      'Resume with: piksel bootstrap -e staging --from identity --skip oidc,spot-role,dns,state-backend,secrets,infrastructure,kubeconfig,flux,applications,health',
    )
  })
})
