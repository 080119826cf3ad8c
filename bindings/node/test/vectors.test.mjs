// The shared test vectors (tests/vectors/*.json at the repository root),
// run through the Node package. The Rust core and the Python package run
// the same files, so a binding that drifts fails here.
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { describe, test } from 'node:test'

import { BACKENDS, codeOf, dcms, openBackend, uidMaker } from './helpers.mjs'

const VECTORS = new URL('../../../tests/vectors/', import.meta.url)
const load = (name) => JSON.parse(readFileSync(new URL(name, VECTORS), 'utf8'))

describe('coin_change.json', () => {
  for (const c of load('coin_change.json').cases) {
    test(c.name, async () => {
      const options = c.points_per_minor ? { pointsPerMinor: { [c.currency]: c.points_per_minor } } : {}
      const ledger = await dcms.open(null, options)
      const vendor = await ledger.createVendor('v', 'V', c.currency, 'UTC', { policy: c.policy ?? 'coin_part' })
      const account = (await ledger.openAccount('a')).id
      if (c.error) {
        assert.equal(await codeOf(ledger.quoteChange(vendor.id, c.total, c.tendered)), c.error)
        assert.equal(await codeOf(ledger.creditChange('k', vendor.id, account, c.total, c.tendered)), c.error)
        return
      }
      const q = await ledger.quoteChange(vendor.id, c.total, c.tendered)
      for (const [field, js] of [
        ['cash_total', 'cashTotal'],
        ['change', 'change'],
        ['coin_part', 'coinPart'],
        ['hand_back', 'handBack'],
        ['credit', 'credit'],
      ]) {
        assert.equal(q[js], c.expect[field], field)
      }
      const credited = await ledger.creditChange('k', vendor.id, account, c.total, c.tendered)
      assert.equal(credited.points, c.expect.points)
      assert.equal((await ledger.balanceIn(account, c.currency)).available, c.expect.points)
    })
  }
})

describe('amounts.json', () => {
  const amounts = load('amounts.json')
  // Node reads money as text, so both the values and the syntax cases apply.
  for (const c of [...amounts.values, ...amounts.syntax]) {
    test(`${JSON.stringify(c.text)} ${c.currency}`, async () => {
      const ledger = await dcms.open()
      const vendor = await ledger.createVendor('v', 'V', c.currency, 'UTC')
      const tendered = c.error ? c.text : '100000000'
      const got = ledger.quoteChange(vendor.id, c.text, tendered)
      if (c.error) {
        assert.equal(await codeOf(got), c.error)
      } else {
        assert.equal((await got).total, c.decimal)
      }
    })
  }
})

describe('account_ids.json', () => {
  for (const c of load('account_ids.json').cases) {
    test(`${JSON.stringify(c.text)} width ${c.width}`, async () => {
      const ledger = await dcms.open(null, { accountIdWidth: c.width })
      const got = ledger.parseAccountId(c.text)
      if (c.valid) {
        assert.equal(await got, c.text)
      } else {
        assert.equal(await codeOf(got), 'invalid_account_id', c.why)
      }
    })
  }
})

/** Runs one scenario step; resolves to the id of the transaction it wrote, if any. */
async function runStep(ledger, step, names, uid) {
  const acct = (key) => names.get(step[key])
  switch (step.op) {
    case 'vendor':
      await ledger.createVendor(uid(step.id), step.name, step.currency, step.time_zone)
      return null
    case 'account':
      names.set(step.as, (await ledger.openAccount(uid(step.as))).id)
      return null
    case 'credit': {
      const c = await ledger.creditChange(uid(step.key), uid(step.vendor), acct('account'), step.total, step.tendered)
      assert.deepEqual([c.points, c.replayed], [step.expect.points, step.expect.replayed])
      return c.tx?.id ?? null
    }
    case 'hold':
      return (await ledger.hold(uid(step.key), uid(step.vendor), acct('account'), step.points)).tx.id
    case 'capture':
      return (await ledger.capture(uid(step.key), names.get(step.hold), step.points)).tx.id
    case 'transfer':
      return (await ledger.transfer(uid(step.key), acct('from'), acct('to'), step.points, step.currency)).tx.id
    case 'redeem':
      return (await ledger.redeem(uid(step.key), uid(step.vendor), acct('account'), step.points)).tx.id
    case 'reverse':
      return (await ledger.reverse(uid(step.key), names.get(step.tx), step.reason)).tx.id
    case 'balance': {
      const b = await ledger.balanceIn(acct('account'), step.currency)
      assert.deepEqual([b.available, b.held], [step.available, step.held])
      return null
    }
    case 'liability':
      assert.equal(await ledger.vendorLiability(uid(step.vendor)), step.points)
      return null
    case 'verify': {
      const report = await ledger.verify()
      assert.ok(report.ok, report.problems.join('; '))
      return null
    }
    default:
      throw new Error(`unknown op ${step.op}`)
  }
}

describe('scenario.json', () => {
  for (const backend of BACKENDS) {
    test(`the multi-currency story on ${backend}`, async (t) => {
      const ledger = await openBackend(t, backend)
      if (ledger === null) return
      const uid = uidMaker()
      const names = new Map()
      for (const [n, step] of load('scenario.json').steps.entries()) {
        let code = 'ok'
        let tx = null
        try {
          tx = await runStep(ledger, step, names, uid)
        } catch (e) {
          if (!(e instanceof dcms.DcmsError)) throw e
          code = e.code
        }
        assert.equal(code, step.error ?? 'ok', `step ${n} ${JSON.stringify(step)}`)
        if (step.as && tx !== null) names.set(step.as, tx)
      }
    })
  }
})
