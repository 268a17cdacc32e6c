import {expect} from 'chai'

import {InterruptedError} from '../../../src/lib/errors.ts'
import {
  STOP_SIGNALS,
  StopRequest,
  repeatedSignalAction,
  signalExitCode,
  stopSignalOf,
} from '../../../src/lib/process/signals.ts'

describe('stop signal policy', () => {
  // The shell's convention, written out: 128 + 2, 128 + 15, 128 + 1.
  const codes: Array<[(typeof STOP_SIGNALS)[number], number]> = [
    ['SIGINT', 130],
    ['SIGTERM', 143],
    ['SIGHUP', 129],
  ]
  for (const [signal, code] of codes) {
    it(`${signal} exits ${code}`, () => expect(signalExitCode(signal)).to.equal(code))
  }

  it('handles exactly SIGINT, SIGTERM and SIGHUP', () => {
    expect([...STOP_SIGNALS].sort()).to.deep.equal(['SIGHUP', 'SIGINT', 'SIGTERM'])
  })

  it('the abort reason names the signal; anything else counts as Ctrl-C', () => {
    const reason = new StopRequest('SIGTERM')
    expect(reason).to.be.instanceOf(InterruptedError)
    expect(reason.message).to.equal('Interrupted by SIGTERM.')
    expect(new StopRequest('SIGINT').message).to.equal('Interrupted.')
    expect(stopSignalOf(reason)).to.equal('SIGTERM')
    expect(stopSignalOf(new StopRequest('SIGHUP'))).to.equal('SIGHUP')
    expect(stopSignalOf(new Error('x'))).to.equal('SIGINT')
    expect(stopSignalOf(undefined)).to.equal('SIGINT')
  })

  const repeats: Array<[string, number, string[], 'wait' | 'exit', RegExp | undefined]> = [
    ['a second signal while terraform stops', 2, ['terraform apply'], 'wait', /still waiting for terraform apply/],
    ['a third signal while terraform stops', 3, ['terraform apply'], 'exit', /a third time: exiting without waiting/],
    ['a second signal with no child running', 2, [], 'exit', undefined],
    ['a fourth signal with no child running', 4, [], 'exit', undefined],
    ['a second signal while two children stop', 2, ['terraform apply', 'flux'], 'wait', /terraform apply, flux/],
  ]
  for (const [what, count, children, action, message] of repeats) {
    it(`${what}: ${action}`, () => {
      const next = repeatedSignalAction('SIGTERM', count, children)
      expect(next.action).to.equal(action)
      if (message) expect(next.message).to.match(message)
      else expect(next.message).to.equal(undefined)
    })
  }
})
