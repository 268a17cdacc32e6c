import {expect} from 'chai'

import {
  describeOperation,
  forceUnlockCommand,
  parseStateLock,
  stateLockedError,
} from '../../../src/lib/terraform/lock.ts'

/** Terraform 1.11's output for a held S3 lockfile (use_lockfile), with -no-color, as it prints it. */
const S3_NO_COLOR = `
Error: Error acquiring the state lock

Error message: operation error S3: PutObject, https response error
StatusCode: 412, RequestID:
2VXHvOFXmlVzf96ZrY1Nyl427tbm1eyteG4XIPV5Pm14CjS2LJWr, HostID:
9Gjjt1m+cjU4OPvX9O9/8RuvnG41MRb/18Oux2o5H5MY7ISNTlXN+Dz9IG62/ILVxhAGI0qyPfg=,
api error PreconditionFailed: At least one of the pre-conditions you
specified did not hold
Lock Info:
  ID:        b2ed8815-68dd-1517-955f-326b9e1d0441
  Path:      piksel-staging-tfstate/staging/terraform.tfstate
  Operation: OperationTypeApply
  Who:       ops@laptop
  Version:   1.11.4
  Created:   2026-11-30 10:04:17.201427656 +0000 UTC
  Info:      


Terraform acquires a state lock to protect the state from being written
by multiple users at the same time. Please resolve the issue above and try
again. For most commands, you can disable locking with the "-lock=false"
flag, but this is not recommended.
`.split('\n')

/** The same for a local backend, with colour: box frame and ANSI codes. */
const LOCAL_COLOR = [
  '\u001b[31m╷\u001b[0m\u001b[0m',
  '\u001b[31m│\u001b[0m \u001b[0m\u001b[1m\u001b[31mError: \u001b[0m\u001b[0m\u001b[1mError acquiring the state lock\u001b[0m',
  '\u001b[31m│\u001b[0m \u001b[0m',
  '\u001b[31m│\u001b[0m \u001b[0m\u001b[0mError message: resource temporarily unavailable',
  '\u001b[31m│\u001b[0m \u001b[0mLock Info:',
  '\u001b[31m│\u001b[0m \u001b[0m  ID:        d074ea26-4a65-4159-5855-c958e180dfdc',
  '\u001b[31m│\u001b[0m \u001b[0m  Path:      terraform.tfstate',
  '\u001b[31m│\u001b[0m \u001b[0m  Operation: OperationTypePlan',
  '\u001b[31m│\u001b[0m \u001b[0m  Who:       ci@runner-7',
  '\u001b[31m│\u001b[0m \u001b[0m  Version:   1.11.4',
  '\u001b[31m│\u001b[0m \u001b[0m  Created:   2026-11-30 10:05:42.076158626 +0000 UTC',
  '\u001b[31m│\u001b[0m \u001b[0m  Info:      ',
  '\u001b[31m╵\u001b[0m\u001b[0m',
]

describe('a held state lock', () => {
  const cases: Array<[string, string[], ReturnType<typeof parseStateLock>]> = [
    [
      'S3 lockfile, no colour',
      S3_NO_COLOR,
      {
        id: 'b2ed8815-68dd-1517-955f-326b9e1d0441',
        path: 'piksel-staging-tfstate/staging/terraform.tfstate',
        operation: 'OperationTypeApply',
        who: 'ops@laptop',
        version: '1.11.4',
        created: '2026-11-30 10:04:17.201427656 +0000 UTC',
      },
    ],
    [
      'local backend, colour and box frame',
      LOCAL_COLOR,
      {
        id: 'd074ea26-4a65-4159-5855-c958e180dfdc',
        path: 'terraform.tfstate',
        operation: 'OperationTypePlan',
        who: 'ci@runner-7',
        version: '1.11.4',
        created: '2026-11-30 10:05:42.076158626 +0000 UTC',
      },
    ],
    [
      'an Info field that says something',
      ['Error: Error acquiring the state lock', 'Lock Info:', '  ID:        abc', '  Info:      nightly drift check'],
      {id: 'abc', info: 'nightly drift check'},
    ],
    [
      'a blank line inside Lock Info before the ID (a wrapped diagnostic) is skipped; one after it ends the block',
      [
        'Error: Error acquiring the state lock',
        'Lock Info:',
        '│',
        '  ID:        abc',
        '  Path:      p',
        '',
        '  Who:  x',
      ],
      {id: 'abc', path: 'p'},
    ],
    [
      'the lock could not be taken for another reason (no lock info)',
      ['Error: Error acquiring the state lock', '', 'Error message: AccessDenied: not allowed to PutObject'],
      undefined,
    ],
    ['another error', ['Error: Invalid target "foo"', '  ID: not-a-lock'], undefined],
    ['lock info without the state-lock error', ['Lock Info:', '  ID: not-ours', '  Path: p'], undefined],
    [
      'fields before Lock Info: are not the lock’s',
      ['Error: Error acquiring the state lock', '  Path: from the error message', 'Lock Info:', '  ID: abc'],
      {id: 'abc'},
    ],
    [
      'trailing spaces, and a line that is no field inside the block',
      [
        'Error: Error acquiring the state lock   ',
        'Lock Info:   ',
        '  Note: wrapped',
        '  ID:   abc   ',
        '  Info: nightly Error: check',
      ],
      {id: 'abc', info: 'nightly Error: check'},
    ],
    [
      'lock info that belongs to a later error is not taken',
      ['Error: Error acquiring the state lock', 'Error message: x', 'Error: other', 'Lock Info:', '  ID: zzz'],
      undefined,
    ],
  ]
  for (const [what, lines, expected] of cases) {
    it(`parses ${what}`, () => expect(parseStateLock(lines)).to.deep.equal(expected))
  }

  it('names the operation the way people say it', () => {
    expect(describeOperation('OperationTypeApply')).to.equal('apply')
    expect(describeOperation('OperationTypeRefresh')).to.equal('refresh')
    expect(describeOperation(undefined)).to.equal('an unknown operation')
    expect(describeOperation('')).to.equal('an unknown operation')
    expect(describeOperation('OperationType')).to.equal('OperationType')
    expect(describeOperation('Import')).to.equal('import')
  })

  it('gives the exact force-unlock command, the directory quoted when it must be', () => {
    expect(forceUnlockCommand('/work/infra/staging', 'b2ed8815')).to.equal(
      'terraform -chdir=/work/infra/staging force-unlock b2ed8815',
    )
    expect(forceUnlockCommand("/tmp/my infra/it's", 'x')).to.equal(
      "terraform -chdir='/tmp/my infra/it'\\''s' force-unlock x",
    )
  })

  it('is exit 1, code STATE_LOCKED, with who, when and the command, and says piksel unlocked nothing', () => {
    const error = stateLockedError(parseStateLock(S3_NO_COLOR)!, '/infra/staging', 'plan')
    expect(error.exitCode).to.equal(1)
    expect(error.code).to.equal('STATE_LOCKED')
    expect(error.message).to.equal(
      'terraform plan in /infra/staging: the state is locked on piksel-staging-tfstate/staging/terraform.tfstate by ops@laptop (apply since 2026-11-30 10:04:17.201427656 +0000 UTC, lock ID b2ed8815-68dd-1517-955f-326b9e1d0441). Nothing was changed.',
    )
    expect(error.hint).to.equal(
      'Someone (or an interrupted run) holds the lock. Wait for their apply to finish; only once you are sure nobody is applying, release it with: terraform -chdir=/infra/staging force-unlock b2ed8815-68dd-1517-955f-326b9e1d0441',
    )
  })

  it('a lock with only its ID: the message says no more than it knows', () => {
    const error = stateLockedError({id: 'abc'}, '/infra/staging', 'apply')
    expect(error.message).to.equal(
      'terraform apply in /infra/staging: the state is locked (an unknown operation, lock ID abc). Nothing was changed.',
    )
  })
})
