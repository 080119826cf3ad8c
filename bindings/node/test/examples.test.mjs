// The examples run as written: examples/node/pos.mjs (the POS walkthrough)
// and the JavaScript block of the repository's README.md, whose trailing
// comments state what each console.log prints.
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { existsSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import path from 'node:path'
import { test } from 'node:test'

const PACKAGE = fileURLToPath(new URL('..', import.meta.url))
const ROOT = path.resolve(PACKAGE, '../..')

/** Runs a script with node; its stdout. */
const run = (file) => execFileSync(process.execPath, [file], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] })

test('examples/node/pos.mjs walks through a sale', () => {
  const examples = path.join(ROOT, 'examples/node')
  // The examples import 'dcms' as an application would; link it (git-ignored).
  const link = path.join(examples, 'node_modules/dcms')
  if (!existsSync(link)) {
    mkdirSync(path.dirname(link), { recursive: true })
    symlinkSync(path.relative(path.dirname(link), PACKAGE), link)
  }
  const out = run(path.join(examples, 'pos.mjs'))
  assert.match(out, /^hand back 3\.00 in notes, credit 0\.37 of 3\.37 change$/m)
  assert.match(out, /^credited 37 USD points to account [1-9]\d{5}$/m)
  // 37 credited, 25 spent: 12 left, so 500 is refused.
  assert.match(out, /^refused: only 12 USD points available$/m)
  assert.match(out, /^balance: 12 USD points available, 0 held$/m)
  assert.match(out, /^statement \d{4}-\d{2}: 0 -> 12 points owed$/m)
  assert.match(out, /^month closed: statements\/corner-shop\/\d{4}-\d{2}\.csv, /m)
})

test("the README's JavaScript example prints what its comments say", () => {
  const readme = readFileSync(path.join(ROOT, 'README.md'), 'utf8')
  const block = readme.match(/## From JavaScript[\s\S]*?```js\n([\s\S]*?)```/)
  assert.ok(block, 'README.md has a "From JavaScript" section with a js block')
  const code = block[1]
  const expected = code
    .split('\n')
    .filter((line) => line.startsWith('console.log('))
    .map((line) => line.split(' // ')[1].trim())
  assert.ok(expected.length >= 2)
  // Inside the package folder, so `import ... from 'dcms'` resolves to it.
  const file = path.join(PACKAGE, '.readme-example.mjs')
  writeFileSync(file, code)
  try {
    const lines = run(file).trim().split('\n')
    assert.deepEqual(lines, expected)
  } finally {
    rmSync(file, { force: true })
  }
})
