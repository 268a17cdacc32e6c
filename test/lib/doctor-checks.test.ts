import {expect} from 'chai'

import {
  TOOLS,
  doctorPassed,
  evaluateNode,
  evaluateTool,
  parseAwsVersion,
  parseFluxVersion,
  parseKubectlVersion,
  parseTerraformVersion,
} from '../../src/lib/doctor/checks.ts'

const tool = (name: string) => TOOLS.find((t) => t.name === name)!

describe('doctor checks', () => {
  describe('version parsing', () => {
    const cases: Array<[string, () => string | undefined, string | undefined]> = [
      [
        'terraform -json',
        () => parseTerraformVersion('{"terraform_version":"1.11.4","platform":"linux_amd64"}'),
        '1.11.4',
      ],
      ['terraform plain', () => parseTerraformVersion('Terraform v1.9.8\non linux_amd64'), '1.9.8'],
      ['flux client', () => parseFluxVersion('flux: v2.6.0\n'), '2.6.0'],
      ['flux garbage', () => parseFluxVersion('command not found'), undefined],
      ['kubectl json', () => parseKubectlVersion('{"clientVersion":{"gitVersion":"v1.32.4-dispatcher"}}'), '1.32.4'],
      ['kubectl plain', () => parseKubectlVersion('Client Version: v1.29.1'), '1.29.1'],
      [
        'aws v1 on stderr',
        () => parseAwsVersion('', 'aws-cli/1.45.11 Python/3.11.7 Linux/6 botocore/1.43.11'),
        '1.45.11',
      ],
      ['aws v2 on stdout', () => parseAwsVersion('aws-cli/2.17.0 Python/3.12.6 Linux/6 exe/x86_64', ''), '2.17.0'],
    ]
    for (const [what, parse, expected] of cases) {
      it(`${what} → ${expected ?? 'unreadable'}`, () => expect(parse()).to.equal(expected))
    }
  })

  describe('tool rules', () => {
    const cases: Array<[string, Parameters<typeof evaluateTool>[1], 'pass' | 'fail', RegExp]> = [
      ['terraform', {found: false}, 'fail', /not found on PATH/],
      [
        'terraform',
        {found: true, exitCode: 0, stdout: '{"terraform_version":"1.9.8"}', stderr: ''},
        'fail',
        /1\.9\.8 is not >=1\.10\.0.*locking/,
      ],
      [
        'terraform',
        {found: true, exitCode: 0, stdout: '{"terraform_version":"1.10.0"}', stderr: ''},
        'pass',
        /1\.10\.0/,
      ],
      ['flux', {found: true, exitCode: 0, stdout: 'flux: v0.41.2', stderr: ''}, 'fail', /not >=2\.0\.0 <3\.0\.0/],
      ['flux', {found: true, exitCode: 0, stdout: 'flux: v2.6.0', stderr: ''}, 'pass', /2\.6\.0/],
      ['kubectl', {found: true, exitCode: 1, stdout: '', stderr: 'boom'}, 'fail', /could not be read \(boom\)/],
      ['aws', {found: true, exitCode: 0, stdout: '', stderr: 'aws-cli/1.45.11 Python/3.11.7'}, 'pass', /1\.45\.11/],
    ]
    for (const [name, outcome, status, detail] of cases) {
      it(`${name} ${outcome.found ? outcome.stdout || outcome.stderr : 'missing'} → ${status}`, () => {
        const result = evaluateTool(tool(name), outcome)
        expect(result.status).to.equal(status)
        expect(result.detail).to.match(detail)
      })
    }
  })

  it('checks Node against engines', () => {
    const range = '^22.22.2 || ^24.15.0 || >=26.0.0'
    expect(evaluateNode('v26.10.0', range).status).to.equal('pass')
    expect(evaluateNode('v22.22.2', range).status).to.equal('pass')
    expect(evaluateNode('v20.20.2', range).status).to.equal('fail')
    expect(evaluateNode('v23.1.0', range).status).to.equal('fail')
  })

  it('fails only on a failed check, not on warnings', () => {
    expect(
      doctorPassed([
        {name: 'a', status: 'pass', detail: ''},
        {name: 'b', status: 'warn', detail: ''},
      ]),
    ).to.equal(true)
    expect(doctorPassed([{name: 'a', status: 'fail', detail: ''}])).to.equal(false)
  })
})

describe('probeTool', () => {
  const path = process.env.PATH
  afterEach(() => {
    process.env.PATH = path
  })

  it('tells a missing tool, a working one and a hung one apart', async () => {
    const {StubBin} = await import('../support/stubs.ts')
    const {probeTool} = await import('../../src/lib/doctor/service.ts')
    const stubs = new StubBin().add('flux', {stdout: 'flux: v2.6.0\n'}).add('terraform', {sleep: 5})
    process.env.PATH = stubs.dir
    expect(await probeTool({...tool('kubectl'), name: 'piksel-no-such-tool'})).to.deep.equal({found: false})
    const flux = await probeTool(tool('flux'))
    expect(evaluateTool(tool('flux'), flux)).to.deep.include({status: 'pass', detail: '2.6.0'})
    const hung = await probeTool(tool('terraform'), 500)
    expect(hung).to.deep.include({found: true, stderr: 'no answer within 500ms'})
    expect(evaluateTool(tool('terraform'), hung).detail).to.equal(
      'found, but its version could not be read (no answer within 500ms)',
    )
  })
})
