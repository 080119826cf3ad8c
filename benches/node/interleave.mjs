// creditChangeColumns against the native core, interleaved, by CPU time
// per sale (see benches/README.md, "Node binding").
//
//   node benches/node/interleave.mjs --native PATH [--n 200000] [--rounds 4]
//        [--batch 1000] [--addon NAME=PATH ...]
//
// Each round runs the native loop (a child process), then each addon in a
// fresh Node child process (the package's own build when no --addon is
// given; NAME=PATH loads that .node file instead, or with PATH a
// directory, the package in it, so two builds can be compared in the same
// alternation), then the native loop again. A child
// builds each chunk's keys and awaits `creditChangeColumns` on them, one
// vendor, one account, USD 6.63 paid with 10.00 (37 points), a fresh
// in-memory ledger: the harness's "columns incl. building keys". The
// figure is CPU time per sale over every thread of the process, the
// native loop's from its own `cpu_seconds`; the share is the mean of the
// two native figures around it over the addon's. The 1-minute load
// average is printed with every round, since the machine is shared.
import { execFileSync } from 'node:child_process'
import { statSync } from 'node:fs'
import { loadavg } from 'node:os'
import path from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { parseArgs } from 'node:util'

const { values: opts } = parseArgs({
  options: {
    native: { type: 'string' },
    n: { type: 'string', default: '200000' },
    rounds: { type: 'string', default: '4' },
    batch: { type: 'string', default: '1000' },
    addon: { type: 'string', multiple: true, default: [] },
    child: { type: 'boolean', default: false },
  },
})
const N = Number(opts.n)
const BATCH = Number(opts.batch)

/** The child: one measurement, printed as JSON. */
async function child() {
  const pkg = process.env.DCMS_BENCH_PACKAGE
  const { open } = await import(pkg ? pathToFileURL(path.join(pkg, 'index.mjs')).href : 'dcms')
  const ledger = await open()
  const vendor = (await ledger.createVendor('bench', 'Bench', 'USD', 'UTC')).id
  const account = (await ledger.openAccount('bench-account')).id
  const wall = process.hrtime.bigint()
  const cpu = process.cpuUsage()
  for (let from = 0; from < N; from += BATCH) {
    const keys = []
    for (let i = from; i < Math.min(from + BATCH, N); i++) keys.push(`bench/${i}`)
    const done = await ledger.creditChangeColumns({ keys, vendor, account, total: '6.63', tendered: '10.00' })
    if (done.failed !== 0) throw new Error(`${done.failed} sales refused`)
  }
  const used = process.cpuUsage(cpu)
  console.log(
    JSON.stringify({
      cpu_seconds: (used.user + used.system) / 1e6,
      wall_seconds: Number(process.hrtime.bigint() - wall) / 1e9,
    }),
  )
}

const us = (seconds) => (1e6 * seconds) / N

function native() {
  const out = JSON.parse(execFileSync(opts.native, ['memory', String(N)], { encoding: 'utf8' }))
  return us(out.cpu_seconds)
}

function addon(where) {
  const env = { ...process.env }
  if (where && statSync(where).isDirectory()) env.DCMS_BENCH_PACKAGE = where
  else if (where) env.NAPI_RS_NATIVE_LIBRARY_PATH = where
  const args = [fileURLToPath(import.meta.url), '--child', '--n', String(N), '--batch', String(BATCH)]
  const out = JSON.parse(execFileSync(process.execPath, args, { encoding: 'utf8', env }))
  return us(out.cpu_seconds)
}

async function parent() {
  if (!opts.native) throw new Error('--native PATH (the node_native_credit_rate example) is required')
  const addons = opts.addon.length
    ? opts.addon.map((a) => {
        const at = a.indexOf('=')
        return at < 0 ? { name: a, path: a } : { name: a.slice(0, at), path: a.slice(at + 1) }
      })
    : [{ name: 'columns', path: null }]
  console.log(`node ${process.version}, ${N} sales per measurement, batches of ${BATCH}, CPU µs per sale`)
  console.log(`| round | load (1 min) | native before / after | ${addons.map((a) => a.name).join(' | ')} |`)
  console.log(`|---:|---:|---:|${addons.map(() => '---:|').join('')}`)
  const shares = addons.map(() => [])
  for (let r = 1; r <= Number(opts.rounds); r++) {
    const load = loadavg()[0].toFixed(2)
    const before = native()
    const figures = addons.map((a) => addon(a.path))
    const after = native()
    const base = (before + after) / 2
    figures.forEach((f, i) => shares[i].push(base / f))
    const cells = figures.map((f) => `${f.toFixed(2)} µs (${Math.round((100 * base) / f)}%)`)
    console.log(`| ${r} | ${load} | ${before.toFixed(2)} / ${after.toFixed(2)} µs | ${cells.join(' | ')} |`)
  }
  const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]
  console.log(
    `median share of native: ${addons.map((a, i) => `${a.name} ${Math.round(100 * median(shares[i]))}%`).join(', ')}; load now ${loadavg()[0].toFixed(2)}`,
  )
}

await (opts.child ? child() : parent())
