// What crosses the boundary: money only as decimal strings, points as
// safe integers or bigints, times as Dates, both entry points, Promises.
import assert from 'node:assert/strict'
import { createRequire } from 'node:module'
import { test } from 'node:test'
import { inspect } from 'node:util'

import { dcms, fixture } from './helpers.mjs'

const require = createRequire(import.meta.url)

test('a JavaScript number for money is a TypeError, in every money argument', async (t) => {
  const { ledger, uid, shop, account } = await fixture(t, 'memory')
  await assert.rejects(ledger.creditChange(uid('k'), shop.id, account, 6.63, '10.00'), {
    name: 'TypeError',
    message: /money is never a float/,
  })
  await assert.rejects(ledger.quoteChange(shop.id, '6.63', 10), TypeError)
  await assert.rejects(
    ledger.creditChangeMany([{ key: uid('b'), vendor: shop.id, account, total: '1.00', tendered: 2 }]),
    TypeError,
  )
  await assert.rejects(ledger.quoteChange(shop.id, null, '1'), TypeError)
  assert.deepEqual(await ledger.balance(account), {})
})

test('points: whole safe numbers or bigints; fractions, NaN and unsafe numbers are TypeErrors', async (t) => {
  const { ledger, uid, shop, account } = await fixture(t, 'memory')
  await ledger.creditChange(uid('r'), shop.id, account, '0.01', '1.00')
  assert.equal((await ledger.redeem(uid('a'), shop.id, account, 1n)).tx.kind, 'redemption')
  for (const bad of [1.5, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 53, '5']) {
    await assert.rejects(ledger.redeem(uid(`x${String(bad)}`), shop.id, account, bad), TypeError, String(bad))
  }
  await assert.rejects(ledger.redeem(uid('big'), shop.id, account, 2n ** 64n), TypeError)
  // A bigint beyond 2^53 that fits in 64 bits reaches the core, which
  // judges it by its own rule (a spend is 1 to 10^15 points).
  await assert.rejects(ledger.redeem(uid('huge'), shop.id, account, 2n ** 60n), {
    code: 'invalid_input',
  })
  assert.equal((await ledger.balanceIn(account, 'USD')).available, 98)
})

test('every Ledger method returns a Promise', async (t) => {
  const { ledger, shop, account } = await fixture(t, 'memory')
  const pending = [ledger.vendor(shop.id), ledger.balance(account), ledger.verify(), ledger.vendors()]
  for (const p of pending) assert.ok(p instanceof Promise)
  await Promise.all(pending)
  // Even a bad argument rejects instead of throwing synchronously.
  const bad = ledger.account('12')
  assert.ok(bad instanceof Promise)
  await assert.rejects(bad, dcms.UnknownAccountError)
})

test('times are Dates; a ManualClock drives them', async () => {
  const at = new Date('2026-03-02T10:00:00Z')
  const clock = new dcms.ManualClock(at)
  const ledger = await dcms.open(null, { clock })
  const shop = await ledger.createVendor('s', 'S', 'USD', 'UTC')
  const account = (await ledger.openAccount('a')).id
  const sale = await ledger.creditChange('k', shop.id, account, '0.90', '1.00')
  assert.ok(sale.tx.at instanceof Date)
  assert.equal(sale.tx.at.getTime(), at.getTime())
  assert.throws(() => clock.advance(1.5), TypeError)
})

test('the CommonJS and ESM entry points are one package', () => {
  const cjs = require('dcms')
  assert.equal(cjs.open, dcms.open)
  assert.equal(cjs.DcmsError, dcms.DcmsError)
  assert.equal(cjs.Ledger, dcms.Ledger)
  assert.equal(require('dcms/package.json').name, 'dcms')
})

test('open refuses SQL pool options for the in-memory store', async () => {
  await assert.rejects(dcms.open(null, { maxConnections: 2 }), TypeError)
  await assert.rejects(dcms.open('bad?path'), TypeError)
})

test('the lazy result classes print as their data (console.log, util.inspect)', async (t) => {
  const { ledger, uid, shop, account } = await fixture(t, 'memory')
  const sale = await ledger.creditChange(uid('p'), shop.id, account, '0.90', '1.00')
  assert.match(inspect(sale), /^ChangeCredited \{[\s\S]*points: 10/)
  const spent = await ledger.redeem(uid('s'), shop.id, account, 1)
  assert.match(inspect(spent), /^Appended \{[\s\S]*replayed: false/)
})
