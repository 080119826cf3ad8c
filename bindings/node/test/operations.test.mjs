// Every ledger operation, on the in-memory store, a fresh SQLite file,
// PostgreSQL (DCMS_TEST_POSTGRES_URL) and MySQL/MariaDB (DCMS_TEST_MYSQL_URL).
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'

import { BACKENDS, dcms, fixture, openBackend, uidMaker } from './helpers.mjs'

for (const backend of BACKENDS) {
  describe(`operations on ${backend}`, () => {
    test('open reports its backend and settings', async (t) => {
      const ledger = await openBackend(t, backend, { pointsPerMinor: { JPY: 2 }, timeZone: 'Europe/Paris' })
      if (ledger === null) return
      assert.equal(ledger.backend, backend)
      assert.deepEqual(ledger.pointsPerMinor, { JPY: 2 })
      assert.equal(await ledger.pointsPerMinorIn('JPY'), 2)
      assert.equal(await ledger.pointsPerMinorIn('USD'), 1)
      assert.equal(ledger.timeZone, 'Europe/Paris')
    })

    test('vendors: create, read, list, update', async (t) => {
      const f = await fixture(t, backend)
      if (f === null) return
      const { ledger, uid, shop } = f
      assert.deepEqual(shop, {
        id: uid('shop'),
        name: 'Corner Shop',
        currency: 'USD',
        timeZone: 'America/New_York',
        policy: 'coin_part',
      })
      assert.deepEqual(await ledger.vendor(shop.id), shop)
      assert.ok((await ledger.vendors()).some((v) => v.id === shop.id))
      const again = await ledger.createVendor(shop.id, 'Corner Shop', 'USD', 'America/New_York')
      assert.deepEqual(again, shop)
      const updated = await ledger.updateVendor(shop.id, 'Corner', 'USD', 'America/New_York', {
        policy: 'all_change',
        perCreditCap: 500,
        perDayCap: 2000n,
      })
      assert.equal(updated.policy, 'all_change')
      assert.equal(updated.perCreditCap, 500)
      assert.equal(updated.perDayCap, 2000)
    })

    test('accounts: open (idempotent by key), read, parse ids', async (t) => {
      const f = await fixture(t, backend)
      if (f === null) return
      const { ledger, uid, account } = f
      const again = await ledger.openAccount(uid('alice'))
      assert.equal(again.id, account)
      assert.match(account, /^[1-9][0-9]{5}$/)
      const read = await ledger.account(account)
      assert.ok(read.openedAt instanceof Date)
      assert.equal(await ledger.parseAccountId(` ${account}`), account)
    })

    test('quote, credit, replay, balances per currency', async (t) => {
      const f = await fixture(t, backend)
      if (f === null) return
      const { ledger, uid, shop, account } = f
      const q = await ledger.quoteChange(shop.id, '6.63', '10.00')
      assert.equal(q.currency, 'USD')
      assert.equal(q.handBack, '3.00')
      assert.equal(q.credit, '0.37')
      const pos = { storeId: 's1', terminalId: 't1', receiptNo: '1001' }
      const sale = await ledger.creditChange(uid('r1'), shop.id, account, '6.63', '10.00', pos)
      assert.equal(sale.points, 37)
      assert.equal(sale.replayed, false)
      assert.equal(sale.tx.kind, 'change_credit')
      assert.equal(sale.tx.currency, 'USD')
      assert.equal(sale.tx.receiptNo, '1001')
      assert.equal(sale.tx.cash.tendered, '10.00')
      assert.equal(sale.tx.balancesAfter[account], 37)
      assert.equal(sale.tx.postings.reduce((sum, p) => sum + p.points, 0), 0)
      assert.ok(sale.tx.at instanceof Date)
      const replay = await ledger.creditChange(uid('r1'), shop.id, account, '6.63', '10.00', pos)
      assert.equal(replay.replayed, true)
      assert.equal(replay.tx.id, sale.tx.id)
      const tokyo = await ledger.createVendor(uid('tokyo'), 'Tokyo', 'JPY', 'Asia/Tokyo')
      await ledger.creditChange(uid('r2'), tokyo.id, account, '630', '1000')
      assert.deepEqual(await ledger.balance(account), {
        JPY: { available: 370, held: 0 },
        USD: { available: 37, held: 0 },
      })
      assert.deepEqual(await ledger.balanceIn(account, 'CHF'), { available: 0, held: 0 })
      assert.equal(await ledger.vendorLiability(shop.id), 37)
      assert.deepEqual(await ledger.transaction(sale.tx.id), sale.tx)
      assert.deepEqual(await ledger.transaction(BigInt(sale.tx.id)), sale.tx)
    })

    test('creditChangeMany credits in order and reports a failure index', async (t) => {
      const f = await fixture(t, backend)
      if (f === null) return
      const { ledger, uid, shop, account } = f
      const requests = [1, 2, 3].map((n) => ({
        key: uid(`b${n}`),
        vendor: shop.id,
        account,
        total: '0.90',
        tendered: '1.00',
        receiptNo: String(n),
      }))
      const done = await ledger.creditChangeMany(requests)
      assert.deepEqual(
        done.map((d) => d.points),
        [10, 10, 10],
      )
      assert.equal(done[2].tx.receiptNo, '3')
      const bad = [requests[0], { ...requests[1], key: uid('b9'), tendered: '0.10' }]
      await assert.rejects(ledger.creditChangeMany(bad), (e) => {
        assert.ok(e instanceof dcms.InvalidAmountError)
        assert.equal(e.code, 'insufficient_cash')
        assert.equal(e.index, 1)
        return true
      })
    })

    test('redeem, hold, capture, void, release', async (t) => {
      const clock = new dcms.ManualClock(new Date('2026-03-02T12:00:00Z'))
      const ledger = await openBackend(t, backend, { clock, holdTtlMs: 60_000 })
      if (ledger === null) return
      const uid = uidMaker()
      const shop = await ledger.createVendor(uid('shop'), 'Shop', 'USD', 'UTC')
      const account = (await ledger.openAccount(uid('a'))).id
      await ledger.creditChange(uid('r'), shop.id, account, '0.01', '1.00') // 99 points
      const spent = await ledger.redeem(uid('d'), shop.id, account, 9n, { receiptNo: 'R9' })
      assert.equal(spent.tx.kind, 'redemption')
      const h1 = await ledger.hold(uid('h1'), shop.id, account, 40, { ttlMs: 3_600_000 })
      assert.equal(h1.tx.expiresAt.getTime(), new Date('2026-03-02T13:00:00Z').getTime())
      assert.deepEqual(await ledger.balanceIn(account, 'USD'), { available: 50, held: 40 })
      const captured = await ledger.capture(uid('c1'), h1.tx.id, 30)
      assert.equal(captured.tx.kind, 'hold_capture')
      assert.equal(captured.tx.closes, h1.tx.id)
      assert.deepEqual(await ledger.balanceIn(account, 'USD'), { available: 60, held: 0 })
      const h2 = await ledger.hold(uid('h2'), shop.id, account, 10)
      assert.equal((await ledger.voidHold(uid('v2'), h2.tx.id)).tx.kind, 'hold_void')
      await ledger.hold(uid('h3'), shop.id, account, 5) // the program's 60 s
      clock.advance(120_000)
      assert.equal(clock.now().getTime(), new Date('2026-03-02T12:02:00Z').getTime())
      assert.deepEqual(await ledger.balanceIn(account, 'USD'), { available: 60, held: 0 })
      assert.equal(await ledger.releaseExpiredHolds(), 1)
      assert.equal(await ledger.releaseExpiredHolds(), 0)
      clock.set(new Date('2026-03-03T00:00:00Z'))
      assert.equal(clock.now().toISOString(), '2026-03-03T00:00:00.000Z')
    })

    test('transfer, reverse, adjust, expire', async (t) => {
      const f = await fixture(t, backend, { transferLimits: { USD: { perTransfer: 50 } } })
      if (f === null) return
      const { ledger, uid, shop, account } = f
      const bob = (await ledger.openAccount(uid('bob'))).id
      await ledger.creditChange(uid('r'), shop.id, account, '0.01', '1.00')
      const moved = await ledger.transfer(uid('t'), account, bob, 40, 'USD')
      assert.equal(moved.tx.kind, 'transfer')
      assert.equal((await ledger.balanceIn(bob, 'USD')).available, 40)
      const undone = await ledger.reverse(uid('v'), moved.tx.id, 'wrong friend')
      assert.equal(undone.tx.kind, 'reversal')
      assert.equal(undone.tx.memo, 'wrong friend')
      assert.equal((await ledger.balanceIn(bob, 'USD')).available, 0)
      const adj = await ledger.adjust(uid('adj'), account, 5, 'goodwill', 'JPY')
      assert.equal(adj.tx.kind, 'adjustment')
      assert.equal((await ledger.balanceIn(account, 'JPY')).available, 5)
      const gone = await ledger.expire(uid('exp'), account, 3, 'test', 'JPY')
      assert.equal(gone.tx.kind, 'expiry')
      assert.equal((await ledger.balanceIn(account, 'JPY')).available, 2)
    })

    test('history pages through an async iterator, per currency or all', async (t) => {
      const f = await fixture(t, backend)
      if (f === null) return
      const { ledger, uid, shop, account } = f
      for (let n = 0; n < 5; n++) {
        await ledger.creditChange(uid(`r${n}`), shop.id, account, '0.90', '1.00')
      }
      await ledger.adjust(uid('adj'), account, 7, 'yen', 'JPY')
      const sizes = []
      const ids = []
      for await (const page of ledger.history(account, { currency: 'USD', pageSize: 2 })) {
        sizes.push(page.items.length)
        ids.push(...page.items.map((tx) => tx.id))
      }
      assert.deepEqual(sizes, [2, 2, 1])
      assert.deepEqual(
        ids,
        [...ids].sort((a, b) => b - a),
      )
      let all = 0
      for await (const page of ledger.history(account)) all += page.items.length
      assert.equal(all, 6)
      const first = await ledger.history(account, { pageSize: 2 })[Symbol.asyncIterator]().next()
      const rest = []
      for await (const page of ledger.history(account, { after: first.value.nextCursor })) rest.push(...page.items)
      assert.equal(rest.length, 4)
    })

    test('expiry policy: expiringWithin and expireInactive', async (t) => {
      const clock = new dcms.ManualClock(new Date('2025-01-10T12:00:00Z'))
      const ledger = await openBackend(t, backend, { clock, expiryMonths: 12 })
      if (ledger === null) return
      const uid = uidMaker()
      const shop = await ledger.createVendor(uid('shop'), 'Shop', 'USD', 'UTC')
      const account = (await ledger.openAccount(uid('a'))).id
      await ledger.creditChange(uid('r'), shop.id, account, '0.90', '1.00')
      const soon = await ledger.expiringWithin(new Date('2026-01-01T00:00:00Z'), 30 * 86_400_000)
      const mine = soon.filter((e) => e.customer === account)
      assert.equal(mine.length, 1)
      assert.equal(mine[0].points, 10)
      assert.ok(mine[0].expiresAt instanceof Date)
      const report = await ledger.expireInactive(new Date('2026-02-01T00:00:00Z'))
      assert.ok(report.expired >= 1)
      assert.ok(report.points.USD >= 10)
      assert.equal((await ledger.balanceIn(account, 'USD')).available, 0)
    })

    test('verify', async (t) => {
      const f = await fixture(t, backend)
      if (f === null) return
      await f.ledger.creditChange(f.uid('r'), f.shop.id, f.account, '6.63', '10.00')
      const report = await f.ledger.verify()
      assert.equal(report.ok, true)
      assert.deepEqual(report.problems, [])
      assert.ok(report.transactions >= 1)
    })
  })
}
