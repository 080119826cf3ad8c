// creditChangeColumns: the batch as columns, results as one CreditBatch,
// refused requests reported one by one (on every backend).
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { inspect } from 'node:util'

import { BACKENDS, dcms, fixture } from './helpers.mjs'

for (const backend of BACKENDS) {
  describe(`creditChangeColumns on ${backend}`, () => {
    test('credits every sale, in order, with per-sale columns and details', async (t) => {
      const f = await fixture(t, backend)
      if (f === null) return
      const { ledger, uid, shop, account } = f
      const keys = [1, 2, 3].map((n) => uid(`c${n}`))
      const batch = await ledger.creditChangeColumns({
        keys,
        vendor: shop.id,
        account,
        total: ['0.90', '0.80', '1.00'],
        tendered: '1.00',
        storeId: 'S1',
        receiptNo: ['r1', null, 'r3'],
      })
      assert.ok(batch instanceof dcms.CreditBatch)
      assert.equal(batch.length, 3)
      assert.equal(batch.failed, 0)
      assert.deepEqual(batch.errors, [])
      assert.ok(batch.points instanceof Float64Array)
      assert.deepEqual([...batch.points], [10, 20, 0])
      assert.equal(batch.totalPoints, 30)
      assert.deepEqual([...batch.replayed], [0, 0, 0])
      const ids = [...batch.txIds]
      assert.ok(ids[0] > 0 && ids[1] > ids[0])
      assert.equal(ids[2], 0) // no change, nothing credited
      assert.equal(batch.get(2).tx, null)
      // Its quote is kept although no transaction holds it.
      assert.deepEqual(
        [batch.get(2).quote.change, batch.get(2).quote.credit, batch.get(2).points, batch.get(2).replayed],
        ['0.00', '0.00', 0, false],
      )
      assert.equal(batch.get(3), null)
      assert.equal(batch.error(3), null)
      assert.equal(batch.error(0), null)
      const first = batch.get(0)
      assert.ok(first instanceof dcms.ChangeCredited)
      assert.equal(first.tx.key, keys[0])
      assert.equal(first.tx.storeId, 'S1')
      assert.equal(first.tx.receiptNo, 'r1')
      assert.equal(first.quote.handBack, '0.00')
      assert.equal(batch.get(1).tx.receiptNo, undefined)
      assert.deepEqual(await ledger.transaction(ids[1]), batch.get(1).tx)
      // get(i) rebuilds what creditChange itself returns for that sale.
      const single = await ledger.creditChange(keys[0], shop.id, account, '0.90', '1.00', {
        storeId: 'S1',
        receiptNo: 'r1',
      })
      assert.equal(single.replayed, true)
      assert.deepEqual({ ...first.toJSON(), replayed: true }, single.toJSON())
      assert.match(inspect(batch), /CreditBatch \{ length: 3/)
      // Same keys again: replayed, nothing new written.
      const again = await ledger.creditChangeColumns({
        keys: keys.slice(0, 2),
        vendor: [shop.id, shop.id],
        account: [account, account],
        total: ['0.90', '0.80'],
        tendered: ['1.00', '1.00'],
        storeId: 'S1',
        receiptNo: ['r1', null],
      })
      assert.deepEqual([...again.replayed], [1, 1])
      assert.deepEqual([...again.txIds], ids.slice(0, 2))
      assert.equal((await ledger.balanceIn(account, 'USD')).available, 30)
    })

    test('a refused sale is reported at its index, typed, and writes nothing', async (t) => {
      const f = await fixture(t, backend)
      if (f === null) return
      const { ledger, uid, shop, account } = f
      const keys = ['ok0', 'cash', 'ok2', 'acct', 'vendor'].map(uid)
      const batch = await ledger.creditChangeColumns({
        keys,
        vendor: [shop.id, shop.id, shop.id, shop.id, uid('nobody')],
        account: [account, account, account, '123', account],
        total: '0.90',
        tendered: ['1.00', '0.10', '1.00', '1.00', '1.00'],
      })
      assert.equal(batch.length, 5)
      assert.equal(batch.failed, 3)
      assert.deepEqual([...batch.points], [10, 0, 10, 0, 0])
      assert.deepEqual(
        batch.errors.map((f) => [f.index, f.error.code]),
        [
          [1, 'insufficient_cash'],
          [3, 'invalid_account_id'],
          [4, 'unknown_vendor'],
        ],
      )
      const cash = batch.error(1)
      assert.ok(cash instanceof dcms.InvalidAmountError)
      assert.equal(cash.index, 1)
      assert.ok(batch.error(3) instanceof dcms.UnknownAccountError)
      assert.ok(batch.error(4) instanceof dcms.DcmsError)
      assert.equal(batch.get(1), null)
      assert.equal(batch.error(0), null)
      // Nothing written for the refused ones: their keys are still free.
      assert.equal((await ledger.balanceIn(account, 'USD')).available, 20)
      const retry = await ledger.creditChange(keys[1], shop.id, account, '0.90', '1.00')
      assert.equal(retry.replayed, false)
      assert.equal(retry.points, 10)
    })
  })
}

test('creditChangeColumns: a batch longer than what is credited inline, and escaped keys', async (t) => {
  const { ledger, uid, shop, account } = await fixture(t, 'memory')
  // Credited 2,048 at a time, with a turn of the event loop between.
  const n = 2100
  const keys = Array.from({ length: n }, (_, i) => uid(`long-${i}`))
  keys[5] = uid('quote "and" back\\slash')
  keys[2090] = uid('клавиша ☕')
  const batch = await ledger.creditChangeColumns({ keys, vendor: shop.id, account, total: '0.90', tendered: '1.00' })
  assert.equal(batch.length, n)
  assert.equal(batch.failed, 0)
  assert.equal(batch.totalPoints, 10 * n)
  assert.ok(batch.points.every((p) => p === 10))
  const ids = [...batch.txIds]
  assert.ok(ids.every((id, i) => i === 0 || id === ids[i - 1] + 1))
  assert.equal(batch.get(5).tx.key, keys[5])
  assert.equal(batch.get(2090).tx.key, keys[2090])
  assert.equal(batch.get(n - 1).tx.balancesAfter[account], 10 * n)
  assert.equal((await ledger.balanceIn(account, 'USD')).available, 10 * n)
  assert.equal((await ledger.verify()).ok, true)
})

test('creditChangeColumns: the event loop runs between the slices of a long batch', async (t) => {
  const { ledger, uid, shop, account } = await fixture(t, 'memory')
  const keys = Array.from({ length: 5000 }, (_, i) => uid(`s-${i}`))
  let finished = false
  const call = ledger.creditChangeColumns({ keys, vendor: shop.id, account, total: '0.90', tendered: '1.00' })
  call.then(() => {
    finished = true
  })
  // A callback queued after the call runs while the batch is still going.
  const during = await new Promise((resolve) => setImmediate(() => resolve(finished)))
  assert.equal(during, false)
  const batch = await call
  assert.equal(batch.length, 5000)
  assert.equal(batch.totalPoints, 50_000)
  assert.equal((await ledger.balanceIn(account, 'USD')).available, 50_000)
})

test('creditChangeColumns: a number for money is a TypeError and nothing is written', async (t) => {
  const { ledger, uid, shop, account } = await fixture(t, 'memory')
  const base = { keys: [uid('a'), uid('b')], vendor: shop.id, account, total: '0.90', tendered: '1.00' }
  await assert.rejects(ledger.creditChangeColumns({ ...base, total: 0.9 }), {
    name: 'TypeError',
    message: /money is never a float/,
  })
  await assert.rejects(ledger.creditChangeColumns({ ...base, tendered: ['1.00', 1] }), {
    name: 'TypeError',
    message: /tendered\[1\]/,
  })
  await assert.rejects(ledger.creditChangeColumns({ ...base, total: 1n }), TypeError)
  await assert.rejects(ledger.creditChangeColumns({ ...base, keys: [uid('a'), 5] }), TypeError)
  await assert.rejects(ledger.creditChangeColumns({ ...base, account: [account] }), /has 1 entries/)
  await assert.rejects(ledger.creditChangeColumns({ ...base, vendors: shop.id }), TypeError)
  await assert.rejects(ledger.creditChangeColumns([base]), TypeError)
  assert.deepEqual(await ledger.balance(account), {})
  const empty = await ledger.creditChangeColumns({ ...base, keys: [] })
  assert.equal(empty.length, 0)
})
