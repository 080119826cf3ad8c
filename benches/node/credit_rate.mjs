// Change credits per second through the `dcms` Node addon, beside the same
// loop calling the Rust core directly, in one run (see benches/README.md).
//
//   node benches/node/credit_rate.mjs --native PATH [--n 200000] [--repeat 5] [--batch 1000]
//
// One vendor, one account, a USD sale of 6.63 paid with 10.00 (37 points),
// a new idempotency key per sale, a fresh in-memory ledger per measurement.
// Each round runs, in this order: the native loop (a child process), the
// addon with single calls awaited one after another, single calls with 64
// in flight, the batch call (creditChangeMany over chunks of --batch
// request objects built beforehand: the calls alone, and with the
// building), and the columnar batch call (creditChangeColumns over chunks
// of --batch keys with one vendor, account, total and tendered: the calls
// alone, which include the wrapper's JSON.stringify and a check of each
// result's `failed`, and with the building of each chunk's keys).
import { execFileSync } from 'node:child_process'
import { parseArgs } from 'node:util'

import { open } from 'dcms'

const { values: opts } = parseArgs({
  options: {
    native: { type: 'string' },
    n: { type: 'string', default: '200000' },
    repeat: { type: 'string', default: '5' },
    batch: { type: 'string', default: '1000' },
  },
})
const N = Number(opts.n)
const BATCH = Number(opts.batch)
if (!opts.native) throw new Error('--native PATH (the node_native_credit_rate example) is required')

async function fresh() {
  const ledger = await open()
  const vendor = (await ledger.createVendor('bench', 'Bench', 'USD', 'UTC')).id
  const account = (await ledger.openAccount('bench-account')).id
  return { ledger, vendor, account }
}

// A start mark, and the rates since it: by wall time and by this process's
// CPU time (every thread: the event loop, Tokio's workers, V8's GC). On a
// shared machine the wall rate swings with the other load; the CPU rate
// is what the work itself costs.
const mark = () => ({ wall: process.hrtime.bigint(), cpu: process.cpuUsage() })
const rate = (n, start) => {
  const cpu = process.cpuUsage(start.cpu)
  return {
    wall: n / (Number(process.hrtime.bigint() - start.wall) / 1e9),
    cpu: n / ((cpu.user + cpu.system) / 1e6),
  }
}

// The native loop's rates as it prints them: wall, and CPU (every thread of
// the child process while its loop ran, from /proc; NaN off Linux).
function native() {
  const out = JSON.parse(execFileSync(opts.native, ['memory', String(N)], { encoding: 'utf8' }))
  return { wall: out.per_second, cpu: out.cpu_seconds ? N / out.cpu_seconds : Number.NaN }
}

async function single() {
  const { ledger, vendor, account } = await fresh()
  const start = mark()
  for (let i = 0; i < N; i++) {
    await ledger.creditChange(`bench/${i}`, vendor, account, '6.63', '10.00')
  }
  return rate(N, start)
}

async function inFlight(width = 64) {
  const { ledger, vendor, account } = await fresh()
  let next = 0
  const worker = async () => {
    while (next < N) {
      const i = next++
      await ledger.creditChange(`bench/${i}`, vendor, account, '6.63', '10.00')
    }
  }
  const start = mark()
  await Promise.all(Array.from({ length: width }, worker))
  return rate(N, start)
}

function requests(vendor, account, from) {
  const chunk = []
  for (let i = from; i < Math.min(from + BATCH, N); i++) {
    chunk.push({ key: `bench/${i}`, vendor, account, total: '6.63', tendered: '10.00' })
  }
  return chunk
}

async function batch() {
  const { ledger, vendor, account } = await fresh()
  const chunks = []
  for (let i = 0; i < N; i += BATCH) chunks.push(requests(vendor, account, i))
  const start = mark()
  for (const chunk of chunks) await ledger.creditChangeMany(chunk)
  return rate(N, start)
}

async function batchBuilding() {
  const { ledger, vendor, account } = await fresh()
  const start = mark()
  for (let i = 0; i < N; i += BATCH) await ledger.creditChangeMany(requests(vendor, account, i))
  return rate(N, start)
}

function columns(vendor, account, from) {
  const keys = []
  for (let i = from; i < Math.min(from + BATCH, N); i++) keys.push(`bench/${i}`)
  return { keys, vendor, account, total: '6.63', tendered: '10.00' }
}

async function creditColumns(chunk) {
  const done = await chunk.ledger.creditChangeColumns(chunk.batch)
  if (done.failed !== 0) throw new Error(`${done.failed} sales refused`)
}

async function columnar() {
  const { ledger, vendor, account } = await fresh()
  const chunks = []
  for (let i = 0; i < N; i += BATCH) chunks.push({ ledger, batch: columns(vendor, account, i) })
  const start = mark()
  for (const chunk of chunks) await creditColumns(chunk)
  return rate(N, start)
}

async function columnarBuilding() {
  const { ledger, vendor, account } = await fresh()
  const start = mark()
  for (let i = 0; i < N; i += BATCH) await creditColumns({ ledger, batch: columns(vendor, account, i) })
  return rate(N, start)
}

const fmt = (x) => Math.round(x).toLocaleString('en-US')
const pct = (x, base) => `${Math.round((100 * x) / base)}%`
const KEYS = ['single', 'flight', 'batch', 'building', 'columns', 'columnsBuilding']
const rows = []
const header = [
  '| round | native core | addon, single calls | single calls, 64 in flight | addon, batch call | batch incl. building requests | columns call | columns incl. building keys |',
  '|---:|---:|---:|---:|---:|---:|---:|---:|',
]
const line = (r, row, kind) =>
  `| ${r} | ${fmt(row.native[kind])}/s | ${KEYS.map((k) => `${fmt(row[k][kind])}/s (${pct(row[k][kind], row.native[kind])})`).join(' | ')} |`
console.log(`node ${process.version}, ${N} sales per measurement, batches of ${BATCH}`)
for (let r = 1; r <= Number(opts.repeat); r++) {
  const row = { native: native(), single: await single(), flight: await inFlight(), batch: await batch() }
  row.building = await batchBuilding()
  row.columns = await columnar()
  row.columnsBuilding = await columnarBuilding()
  rows.push(row)
  console.log(`round ${r}: ${line(r, row, 'wall')}`)
}
for (const kind of ['wall', 'cpu']) {
  console.log(`\nsales per ${kind === 'wall' ? 'second of wall time' : 'CPU second (all threads of the process)'}:`)
  for (const h of header) console.log(h)
  rows.forEach((row, i) => console.log(line(i + 1, row, kind)))
  const median = (key) => {
    const ratios = rows.map((row) => row[key][kind] / row.native[kind]).sort((a, b) => a - b)
    return `${Math.round(100 * ratios[Math.floor(ratios.length / 2)])}%`
  }
  console.log(
    `median share of native (${kind}): single ${median('single')}, 64 in flight ${median('flight')}, batch ${median('batch')}, batch incl. building ${median('building')}, columns ${median('columns')}, columns incl. building ${median('columnsBuilding')}`,
  )
}
