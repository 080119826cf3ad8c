// journalRows (a month of the journal as rows, one per posting) and
// pointsFor (what a transaction moved on one account): the Python
// package's `Ledger.journal_rows` and `Transaction.points_for`, with the
// same sample month and the same expected values as its tests, on every
// backend.
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'

import { BACKENDS, codeOf, dcms, fixture, openBackend, uidMaker } from './helpers.mjs'

/**
 * The Python tests' sample month: three sales and a redemption in March
 * 2025, a sale at 23:00 UTC on 31 March (1 April in Tokyo), one on 1 April.
 */
async function sampleMonth(t, backend) {
  const clock = new dcms.ManualClock(new Date('2025-03-03T10:00:00Z'))
  const ledger = await openBackend(t, backend, { clock })
  if (ledger === null) return null
  const uid = uidMaker()
  const shop = (await ledger.createVendor(uid('shop'), 'Shop', 'USD', 'America/New_York')).id
  const account = (await ledger.openAccount(uid('a'))).id
  await ledger.creditChange(uid('r1'), shop, account, '6.63', '10.00', { receiptNo: '1' })
  await ledger.creditChange(uid('r2'), shop, account, '1.50', '2.00', { receiptNo: '2' })
  clock.advance(86_400_000)
  await ledger.creditChange(uid('r3'), shop, account, '0.01', '1.00', { receiptNo: '3' })
  await ledger.redeem(uid('spend'), shop, account, 100)
  clock.set(new Date('2025-03-31T23:00:00Z'))
  await ledger.creditChange(uid('r4'), shop, account, '0.90', '1.00')
  clock.set(new Date('2025-04-01T12:00:00Z'))
  await ledger.creditChange(uid('r5'), shop, account, '0.90', '1.00')
  // A shared server holds other runs' rows too: keep this shop's.
  const mine = async (month, options) => (await ledger.journalRows(month, options)).filter((r) => r.vendor === shop)
  return { ledger, shop, account, mine }
}

for (const backend of BACKENDS) {
  describe(`journalRows on ${backend}`, () => {
    test('a month as rows, one per posting, oldest first', async (t) => {
      const m = await sampleMonth(t, backend)
      if (m === null) return
      const rows = await m.mine('2025-03')
      // Five transactions of two postings each.
      assert.equal(rows.length, 10)
      assert.deepEqual(
        rows.filter((_, i) => i % 2 === 0).map((r) => r.kind),
        ['change_credit', 'change_credit', 'change_credit', 'redemption', 'change_credit'],
      )
      const ids = rows.map((r) => r.txId)
      assert.deepEqual(ids, [...ids].sort((a, b) => a - b))
      const first = rows[0]
      assert.ok(first.at instanceof Date)
      assert.equal(first.at.toISOString(), '2025-03-03T10:00:00.000Z')
      assert.equal(first.receiptNo, '1')
      assert.equal(first.currency, 'USD')
      assert.deepEqual(
        [first.total, first.cashTotal, first.tendered, first.change, first.coinPart, first.handBack, first.credit],
        ['6.63', '6.63', '10.00', '3.37', '0.37', '3.00', '0.37'],
      )
      // Every column is in every row, null when it does not apply.
      assert.equal(first.storeId, null)
      assert.equal(first.expiresAt, null)
      assert.equal(first.closes, null)
      assert.deepEqual(Object.keys(rows[3]).sort(), Object.keys(first).sort())
      const customer = rows.filter((r) => r.account === `customer:${m.account}:USD`)
      assert.deepEqual(
        customer.map((r) => r.points),
        [37, 50, 99, -100, 10],
      )
      assert.deepEqual(
        customer.map((r) => r.balanceAfter),
        [37, 87, 186, 86, 96],
      )
      const vendor = rows.filter((r) => r.account === `vendor:${m.shop}:USD`)
      assert.equal(
        vendor.reduce((sum, r) => sum + r.points, 0),
        -96,
      )
      assert.ok(vendor.every((r) => r.balanceAfter === null))
      const redemption = rows.find((r) => r.kind === 'redemption')
      assert.equal(redemption.total, null)
      assert.equal(redemption.credit, null)
      assert.equal(redemption.currency, 'USD')
      // Each transaction's rows carry its own key and sum to zero.
      for (let i = 0; i < rows.length; i += 2) {
        assert.equal(rows[i].txId, rows[i + 1].txId)
        assert.equal(rows[i].key, rows[i + 1].key)
        assert.equal(rows[i].points + rows[i + 1].points, 0)
      }
    })

    test('the month is taken in the time zone asked for', async (t) => {
      const m = await sampleMonth(t, backend)
      if (m === null) return
      // From Tokyo the last March sale (23:00 UTC on the 31st) is April's.
      assert.equal((await m.mine('2025-03', { timeZone: 'Asia/Tokyo' })).length, 8)
      assert.equal((await m.mine('2025-04', { timeZone: 'Asia/Tokyo' })).length, 4)
      const april = await m.mine('2025-04')
      assert.deepEqual(
        april.map((r) => r.points),
        [-10, 10],
      )
      assert.equal(april[1].balanceAfter, 106)
      assert.deepEqual(await m.mine('2025-02'), [])
    })

    test('a bad month or time zone is refused', async (t) => {
      const ledger = await openBackend(t, backend)
      if (ledger === null) return
      assert.equal(await codeOf(ledger.journalRows('2025-13')), 'invalid_input')
      assert.equal(await codeOf(ledger.journalRows('March')), 'invalid_input')
      assert.equal(await codeOf(ledger.journalRows('2025-03', { timeZone: 'Mars/Olympus' })), 'invalid_input')
      await assert.rejects(ledger.journalRows(202503), TypeError)
    })
  })

  describe(`pointsFor on ${backend}`, () => {
    test('what a transaction moved on each account', async (t) => {
      const f = await fixture(t, backend)
      if (f === null) return
      const { ledger, uid, shop, account } = f
      const sale = await ledger.creditChange(uid('r1'), shop.id, account, '6.63', '10.00')
      const tx = sale.tx
      assert.equal(await ledger.pointsFor(tx, `customer:${account}:USD`), 37)
      assert.equal(await ledger.pointsFor(tx.id, `vendor:${shop.id}:USD`), -37)
      assert.equal(await ledger.pointsFor(BigInt(tx.id), `customer:${account}:USD`), 37)
      // Not involved: another currency, another account kind.
      assert.equal(await ledger.pointsFor(tx, `customer:${account}:JPY`), 0)
      assert.equal(await ledger.pointsFor(tx, 'program:holds:USD'), 0)
      const hold = await ledger.hold(uid('h'), shop.id, account, 30)
      assert.equal(await ledger.pointsFor(hold.tx, 'program:holds:USD'), 30)
      assert.equal(await ledger.pointsFor(hold.tx, `customer:${account}:USD`), -30)
      const adj = await ledger.adjust(uid('adj'), account, 120, 'goodwill', 'USD')
      assert.equal(await ledger.pointsFor(adj.tx, 'program:adjustments:USD'), -120)
      assert.equal(await ledger.pointsFor(adj.tx, `customer:${account}:USD`), 120)
    })

    test('a bad account or transaction is refused', async (t) => {
      const f = await fixture(t, backend)
      if (f === null) return
      const { ledger, uid, shop, account } = f
      const sale = await ledger.creditChange(uid('r1'), shop.id, account, '6.63', '10.00')
      assert.equal(await codeOf(ledger.pointsFor(sale.tx, 'nowhere')), 'invalid_input')
      assert.equal(await codeOf(ledger.pointsFor(sale.tx, `customer:${account}:usd`)), 'invalid_input')
      // The same id with another check digit fails the check.
      const wrong = account.slice(0, -1) + ((Number(account.at(-1)) + 1) % 10)
      await assert.rejects(ledger.pointsFor(sale.tx, `customer:${wrong}:USD`), (e) => {
        assert.ok(e instanceof dcms.UnknownAccountError)
        assert.equal(e.code, 'invalid_account_id')
        return true
      })
      assert.equal(await codeOf(ledger.pointsFor(sale.tx.id + 1000, 'program:holds:USD')), 'unknown_transaction')
      await assert.rejects(ledger.pointsFor(1.5, 'program:holds:USD'), TypeError)
      await assert.rejects(ledger.pointsFor('1', 'program:holds:USD'), TypeError)
    })
  })
}
