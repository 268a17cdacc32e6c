/**
 * The one bounded reader (issue 12 §2): a byte counter that stops one byte past the
 * limit, destroys the source, and a fatal UTF-8 decoder. In-process, on real streams
 * and real files (/dev/zero, /dev/urandom, a FIFO, a directory).
 */
import {execFileSync, spawn} from 'node:child_process'
import {mkdtempSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {PassThrough, Readable} from 'node:stream'

import {expect} from 'chai'

import {PikselError} from '../../../src/lib/errors.ts'
import type {Prompter} from '../../../src/lib/prompt.ts'
import {
  PROMPT_INPUT_LIMIT,
  SECRET_INPUT_LIMIT,
  boundedPrompt,
  decodeUtf8,
  notUtf8,
  readBounded,
  readSecretFile,
} from '../../../src/lib/secrets/read.ts'

const source = {what: 'test input', hint: 'a hint'}

async function refusal(promise: Promise<unknown>): Promise<PikselError> {
  try {
    await promise
  } catch (error) {
    expect(error).to.be.instanceOf(PikselError)
    return error as PikselError
  }
  throw new Error('expected a refusal')
}

/** A source that never ends, counting how many bytes were pulled from it. */
function endless(chunk: Buffer): {stream: Readable; pulled: () => number} {
  let pulled = 0
  const stream = new Readable({
    read() {
      pulled += chunk.length
      this.push(chunk)
    },
  })
  return {stream, pulled: () => pulled}
}

describe('secrets/read: the bounded reader', () => {
  it('the limits: the largest secret plus one dropped newline ("\\r\\n"); the prompt a terminal line (4 KiB)', () => {
    expect(SECRET_INPUT_LIMIT).to.equal(65_538)
    expect(PROMPT_INPUT_LIMIT).to.equal(4096)
  })

  it('reads exactly the limit', async () => {
    const text = await readBounded(Readable.from([Buffer.alloc(6, 'a'), Buffer.alloc(4, 'b')]), source, 10)
    expect(text).to.equal('aaaaaabbbb')
  })

  it('one byte past the limit: SECRET_TOO_LARGE (exit 2), the source destroyed', async () => {
    const stream = Readable.from([Buffer.alloc(6, 'a'), Buffer.alloc(5, 'b'), Buffer.alloc(3, 'c')])
    const error = await refusal(readBounded(stream, source, 10))
    expect(error).to.include({code: 'SECRET_TOO_LARGE', exitCode: 2})
    expect(error.message).to.equal(
      'test input holds more than 10 bytes: too large for a secret (Secrets Manager takes at most 65536). Reading stopped there; nothing was changed.',
    )
    expect(error.hint).to.equal('a hint')
    expect(stream.destroyed).to.equal(true)
  })

  it('an endless source stops within one chunk of the limit (constant memory)', async () => {
    const {stream, pulled} = endless(Buffer.alloc(16 * 1024, 'y'))
    const error = await refusal(readBounded(stream, source))
    expect(error.code).to.equal('SECRET_TOO_LARGE')
    // The stream may have buffered its highWaterMark ahead; never more than that beyond the limit.
    expect(pulled()).to.be.below(SECRET_INPUT_LIMIT + 16 * 1024 + stream.readableHighWaterMark + 1)
    expect(stream.destroyed).to.equal(true)
  })

  it('a stream that gives strings (setEncoding): counted in bytes, decoded unchanged', async () => {
    const text = (value: string) => {
      const stream = new PassThrough()
      stream.setEncoding('utf8')
      stream.end(value)
      return stream
    }
    expect((await refusal(readBounded(text('€€€€'), source, 10))).code).to.equal('SECRET_TOO_LARGE')
    expect(await readBounded(text('€€€'), source, 9)).to.equal('€€€')
  })

  it('a source that fails: its error, as it is, unless told how to map it', async () => {
    const failing = () => {
      const stream = new PassThrough()
      setImmediate(() => stream.destroy(Object.assign(new Error('EIO: i/o error'), {code: 'EIO'})))
      return stream
    }
    const raw = await readBounded(failing(), source).then(
      () => undefined,
      (error: unknown) => error,
    )
    expect(raw).to.be.instanceOf(Error).and.to.include({code: 'EIO', message: 'EIO: i/o error'})
    const mapped = await refusal(readBounded(failing(), source, 10, () => new PikselError('mapped', 2, {code: 'X'})))
    expect(mapped.code).to.equal('X')
  })

  it('not UTF-8: says so, naming the source and how to convert, never the content', () => {
    const error = notUtf8(source)
    expect(error).to.include({code: 'SECRET_NOT_UTF8', exitCode: 2})
    expect(error.hint).to.equal(
      'Check the input’s encoding (e.g. `iconv -f UTF-16 -t UTF-8` for a UTF-16 file) and that it holds only the secret.',
    )
  })

  it('string chunks are counted in bytes, not characters', async () => {
    // 4 characters of 3 bytes each: 12 bytes > 10.
    const error = await refusal(readBounded(Readable.from(['€€€€'], {objectMode: false}), source, 10))
    expect(error.code).to.equal('SECRET_TOO_LARGE')
  })

  const utf8: Array<[string, number[], string | undefined]> = [
    ['FF FE (a UTF-16 byte-order mark)', [0xff, 0xfe, 0x41, 0x00], undefined],
    ['a lone continuation byte', [0x61, 0x80, 0x62], undefined],
    ['a truncated sequence at the end', [0x61, 0xe2, 0x82], undefined],
    ['an overlong encoding of "/"', [0xc0, 0xaf], undefined],
    ['a UTF-16 surrogate encoded in UTF-8', [0xed, 0xa0, 0x80], undefined],
    ['valid multibyte text', [0xe2, 0x82, 0xac, 0x61], '€a'],
    ['a UTF-8 byte-order mark is kept, not stripped', [0xef, 0xbb, 0xbf, 0x61], '\uFEFFa'],
  ]
  for (const [what, bytes, expected] of utf8) {
    it(`${what}: ${expected === undefined ? 'SECRET_NOT_UTF8' : 'decoded unchanged'}`, async () => {
      // Split byte by byte: a sequence across chunks is still one character.
      const stream = Readable.from(bytes.map((b) => Buffer.from([b])))
      if (expected === undefined) {
        const error = await refusal(readBounded(stream, source))
        expect(error).to.include({code: 'SECRET_NOT_UTF8', exitCode: 2})
        expect(error.message).to.match(/^test input is not valid UTF-8 text/)
      } else {
        expect(await readBounded(stream, source)).to.equal(expected)
        expect(decodeUtf8(Uint8Array.from(bytes), source)).to.equal(expected)
      }
    })
  }

  describe('--from-file, whatever the file is', function () {
    this.timeout(20_000)
    const dir = mkdtempSync(join(tmpdir(), 'piksel-read-'))

    for (const device of ['/dev/zero', '/dev/urandom']) {
      it(`${device}: SECRET_TOO_LARGE`, async () => {
        const error = await refusal(readSecretFile(device))
        expect(error.code).to.equal('SECRET_TOO_LARGE')
        expect(error.message).to.match(new RegExp(`^--from-file ${device} holds more than 65538 bytes`))
      })
    }

    it('a regular file of 10 MB: SECRET_TOO_LARGE', async () => {
      const file = join(dir, 'big')
      writeFileSync(file, Buffer.alloc(10 * 1024 * 1024, 'x'))
      expect((await refusal(readSecretFile(file))).code).to.equal('SECRET_TOO_LARGE')
    })

    it('a file of exactly the limit is read whole; one byte more is refused', async () => {
      const exact = join(dir, 'exact')
      writeFileSync(exact, Buffer.alloc(SECRET_INPUT_LIMIT, 'x'))
      expect((await readSecretFile(exact)).length).to.equal(SECRET_INPUT_LIMIT)
      const over = join(dir, 'over')
      writeFileSync(over, Buffer.alloc(SECRET_INPUT_LIMIT + 1, 'x'))
      expect((await refusal(readSecretFile(over))).code).to.equal('SECRET_TOO_LARGE')
    })

    it('a FIFO fed continuously: SECRET_TOO_LARGE, and the writer is cut off', async () => {
      const fifo = join(dir, 'fifo')
      execFileSync('mkfifo', [fifo])
      const writer = spawn('sh', ['-c', `yes piksel > ${fifo}`], {stdio: 'ignore'})
      const ended = new Promise((resolve) => writer.once('exit', resolve))
      try {
        expect((await refusal(readSecretFile(fifo))).code).to.equal('SECRET_TOO_LARGE')
        // Our end is closed: `yes` dies of SIGPIPE instead of writing forever.
        await ended
      } finally {
        writer.kill('SIGKILL')
      }
    })

    it('a FIFO whose writer stops below the limit: read to its end', async () => {
      const fifo = join(dir, 'fifo-short')
      execFileSync('mkfifo', [fifo])
      const writer = spawn('sh', ['-c', `printf 'short-secret\\n' > ${fifo}`], {stdio: 'ignore'})
      expect(await readSecretFile(fifo)).to.equal('short-secret\n')
      writer.kill()
    })

    const unreadable: Array<[string, () => string, RegExp]> = [
      ['a missing file', () => join(dir, 'nope'), /no such file/],
      ['a directory', () => dir, /it is a directory/],
    ]
    for (const [what, path, why] of unreadable) {
      it(`${what}: SECRET_FILE_UNREADABLE`, async () => {
        const error = await refusal(readSecretFile(path()))
        expect(error).to.include({code: 'SECRET_FILE_UNREADABLE', exitCode: 2})
        expect(error.message).to.match(why)
      })
    }
  })

  describe('the prompt', () => {
    /** A stand-in for a prompt: resolves with what it was typed once `done` is written, or rejects on abort. */
    function fakePrompt(input: PassThrough) {
      return (signal: AbortSignal) =>
        new Promise<string>((resolve, reject) => {
          let typed = ''
          input.resume()
          input.on('data', (chunk: Buffer) => {
            typed += chunk.toString('latin1')
            if (typed.endsWith('\r')) resolve(typed.slice(0, -1))
          })
          signal.addEventListener('abort', () => reject(new Error('aborted')))
        })
    }

    it('passes what the prompt returns when the input stays within the bound', async () => {
      const input = new PassThrough()
      const answer = boundedPrompt(fakePrompt(input), undefined, 10, input)
      setImmediate(() => input.write('secret\r'))
      expect(await answer).to.equal('secret')
    })

    it('exactly the bound (Enter included) is still passed on', async () => {
      const input = new PassThrough()
      // Answers only once every byte has been seen: a bound that refused exactly the limit has aborted by then.
      const ask = (signal: AbortSignal) =>
        new Promise<string>((resolve, reject) => {
          let typed = ''
          input.on('data', (chunk: Buffer) => (typed += chunk.toString('latin1')))
          input.on('end', () => resolve(typed.replace(/\r$/, '')))
          signal.addEventListener('abort', () => reject(new Error('aborted')))
          input.resume()
        })
      const answer = boundedPrompt(ask, undefined, 10, input)
      setImmediate(() => input.end('012345678\r'))
      expect(await answer).to.equal('012345678')
    })

    it('one byte past the bound: the prompt is aborted with SECRET_TOO_LARGE', async () => {
      const input = new PassThrough()
      const answer = boundedPrompt(fakePrompt(input), undefined, 10, input)
      setImmediate(() => input.write('0123456789x'))
      const error = await refusal(answer)
      expect(error.code).to.equal('SECRET_TOO_LARGE')
      expect(error.message).to.equal(
        'the hidden prompt holds more than 10 bytes: more than the prompt takes. Reading stopped there; nothing was changed.',
      )
    })

    it('bytes that are not UTF-8 (FF FE): the prompt is aborted with SECRET_NOT_UTF8', async () => {
      const input = new PassThrough()
      const answer = boundedPrompt(fakePrompt(input), undefined, 10, input)
      setImmediate(() => input.write(Buffer.from([0x61, 0xff, 0xfe])))
      expect((await refusal(answer)).code).to.equal('SECRET_NOT_UTF8')
    })

    it('bootstrap’s secret prompts go through it: a paste past 4 KiB aborts the prompt, nothing is created', async () => {
      const {bindPorts} = await import('../../../src/lib/bootstrap/bind.ts')
      const {resolveSettings} = await import('../../../src/lib/config/environment.ts')
      const staging = resolveSettings().environments.staging!
      const asked: string[] = []
      // A terminal whose prompt waits until it is aborted, while 5,000 bytes arrive on stdin.
      const password = (o: {message: string; signal?: AbortSignal}) =>
        new Promise<string>((_, reject) => {
          asked.push(o.message)
          o.signal?.addEventListener('abort', () => reject(new Error('aborted')))
          setImmediate(() => {
            process.stdin.emit('resume')
            process.stdin.emit('data', Buffer.alloc(5000, 'x'))
          })
        })
      const prompter = {interactive: true, password, input: password} as unknown as Prompter
      const ports = await bindPorts({
        session: {region: 'ap-southeast-3', profileSource: 'default'},
        // The value is refused before anything asks AWS who the caller is.
        caller: () => Promise.reject(new Error('not asked')),
        prompter,
      })
      const error = await refusal(ports.secrets.create!(staging, 'slack-alerts-staging', {}))
      expect(error.code).to.equal('SECRET_TOO_LARGE')
      expect(asked).to.deep.equal(['Slack webhook URL for slack-alerts-staging'])
      expect(process.stdin.listenerCount('data')).to.equal(0)
    })

    it('the prompt’s hint says how to pass a longer secret', async () => {
      const input = new PassThrough()
      const answer = boundedPrompt(fakePrompt(input), undefined, 10, input)
      setImmediate(() => input.write('0123456789x'))
      expect((await refusal(answer)).hint).to.equal(
        'Type or paste only the secret; a longer one comes through --from-file or --from-stdin.',
      )
    })

    it('a terminal that sends text (setEncoding): counted in bytes', async () => {
      const input = new PassThrough()
      input.setEncoding('utf8')
      const answer = boundedPrompt(fakePrompt(input), undefined, 10, input)
      setImmediate(() => input.write('€€€€'))
      expect((await refusal(answer)).code).to.equal('SECRET_TOO_LARGE')
    })

    it('a character split across two chunks is one character, not a broken one', async () => {
      const input = new PassThrough()
      const answer = boundedPrompt(fakePrompt(input), undefined, 10, input)
      setImmediate(() => {
        input.write(Buffer.from([0x61, 0xe2, 0x82]))
        setImmediate(() => input.write(Buffer.from([0xac, 0x0d])))
      })
      expect(await answer).to.equal(Buffer.from([0x61, 0xe2, 0x82, 0xac]).toString('latin1'))
    })

    it('the first problem found is the one reported (later bytes change nothing)', async () => {
      const input = new PassThrough()
      const answer = boundedPrompt(fakePrompt(input), undefined, 10, input)
      setImmediate(() => {
        input.write(Buffer.from([0xff]))
        input.write(Buffer.alloc(20, 'x'))
      })
      expect((await refusal(answer)).code).to.equal('SECRET_NOT_UTF8')
    })

    it('an input that is already flowing is watched at once', async () => {
      const input = new PassThrough()
      input.resume()
      const answer = boundedPrompt(fakePrompt(input), undefined, 10, input)
      setImmediate(() => input.write('0123456789x'))
      expect((await refusal(answer)).code).to.equal('SECRET_TOO_LARGE')
    })

    it('a prompt that fails on its own (Ctrl-C) fails with its own error', async () => {
      const input = new PassThrough()
      const interrupted = new PikselError('Interrupted.', 130, {code: 'INTERRUPTED'})
      const answer = boundedPrompt(() => Promise.reject(interrupted), undefined, 10, input)
      expect(await refusal(answer)).to.equal(interrupted)
    })

    it('stops listening afterwards', async () => {
      const input = new PassThrough()
      const answer = boundedPrompt(fakePrompt(input), undefined, 10, input)
      setImmediate(() => input.write('ok\r'))
      await answer
      expect(input.listenerCount('resume')).to.equal(0)
      // Only the fake prompt's own listener is left.
      expect(input.listenerCount('data')).to.equal(1)
    })
  })
})
