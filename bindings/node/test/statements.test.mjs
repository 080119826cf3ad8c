// Statements (vendor and customer), their lines, and month close into a
// local object directory, on every backend.
import assert from 'node:assert/strict'
import path from 'node:path'
import { describe, test } from 'node:test'

import { BACKENDS, dcms, openBackend, tempDir, uidMaker } from './helpers.mjs'

/** Three sales and a redemption in March 2025, one sale on 1 April. */
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
  clock.set(new Date('2025-04-01T12:00:00Z'))
  await ledger.creditChange(uid('r4'), shop, account, '0.90', '1.00')
  return { ledger, shop, account }
}

for (const backend of BACKENDS) {
  describe(`statements on ${backend}`, () => {
    test('a vendor statement and its rows', async (t) => {
      const m = await sampleMonth(t, backend)
      if (m === null) return
      const st = await m.ledger.vendorStatement(m.shop, '2025-03')
      assert.equal(st.kind, 'vendor')
      assert.equal(st.owner, m.shop)
      assert.equal(st.currency, 'USD')
      assert.equal(st.month, '2025-03')
      assert.equal(st.timeZone, 'America/New_York')
      assert.ok(st.from instanceof Date && st.to instanceof Date)
      assert.equal(st.opening, 0)
      // The vendor's liability: issued 37 + 50 + 99 = 186, redeemed 100, owes 86.
      assert.equal(st.closing, 86)
      const credits = st.totals.find((k) => k.kind === 'change_credit')
      assert.deepEqual([credits.count, credits.points], [3, 186])
      assert.equal(st.days.length, 2)
      assert.equal(st.settlement.currency, 'USD')
      assert.equal(typeof st.settlement.amount, 'string')
      const rows = await m.ledger.statementRows(st)
      assert.deepEqual(
        rows.map((r) => r.receiptNo ?? null),
        ['1', '2', '3', null],
      )
      assert.equal(rows[3].kind, 'redemption')
      assert.equal(rows[3].points, -100)
    })

    test('customer statements, one per currency', async (t) => {
      const m = await sampleMonth(t, backend)
      if (m === null) return
      const usd = await m.ledger.customerStatement(m.account, '2025-03', 'USD', { timeZone: 'America/New_York' })
      assert.equal(usd.kind, 'customer')
      assert.equal(usd.closing, 86)
      assert.equal(usd.settlement, null)
      const all = await m.ledger.customerStatements(m.account, '2025-04')
      assert.deepEqual(
        all.map((s) => [s.currency, s.opening, s.closing]),
        [['USD', 86, 96]],
      )
    })

    test('closeMonth stores CSV, JSON and PDF in a local directory, once', async (t) => {
      const m = await sampleMonth(t, backend)
      if (m === null) return
      const objects = new dcms.LocalDirStore(path.join(tempDir(), 'objects'))
      const report = await m.ledger.closeMonth('2025-03', objects, { vendors: [m.shop] })
      assert.deepEqual(report.failed, [])
      assert.equal(report.closed.length, 1)
      const closed = report.closed[0]
      assert.equal(closed.outcome, 'issued')
      assert.equal(closed.lines, 4)
      const keys = ['csv', 'json', 'pdf'].map((ext) => `statements/${m.shop}/2025-03.${ext}`)
      assert.deepEqual(closed.objects, keys)
      const listed = await objects.list(`statements/${m.shop}/`)
      for (const key of keys) assert.ok(listed.includes(key), key)
      const csv = (await objects.get(keys[0])).toString('utf8')
      assert.match(csv, /^statement,/m)
      const json = JSON.parse((await objects.get(keys[1])).toString('utf8'))
      assert.equal(json.statement.owner, m.shop)
      assert.equal((await objects.get(keys[2])).subarray(0, 5).toString('latin1'), '%PDF-')
      const again = await m.ledger.closeMonth('2025-03', objects, { vendors: [m.shop] })
      assert.equal(again.closed[0].outcome, 'unchanged')
      assert.equal(again.closed[0].digest, closed.digest)
    })
  })
}
