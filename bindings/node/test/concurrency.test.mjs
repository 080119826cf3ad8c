// 200 transfers in flight at once (one Promise each, all on the Tokio
// runtime), then verify(): the journal recomputes to the stored balances
// and no point was created or lost.
import assert from 'node:assert/strict'
import { test } from 'node:test'

import { BACKENDS, fixture } from './helpers.mjs'

const TRANSFERS = 200

for (const backend of BACKENDS) {
  test(`${TRANSFERS} concurrent transfers then verify on ${backend}`, async (t) => {
    const f = await fixture(t, backend, backend === 'memory' ? {} : { maxConnections: 8 })
    if (f === null) return
    const { ledger, uid, shop } = f
    const accounts = []
    for (let n = 0; n < 5; n++) {
      const id = (await ledger.openAccount(uid(`acct${n}`))).id
      // all_change of 0.01 from 1.00: 99 points each.
      await ledger.creditChange(uid(`fund${n}`), shop.id, id, '0.01', '1.00')
      accounts.push(id)
    }
    const before = 5 * 99
    const results = await Promise.allSettled(
      Array.from({ length: TRANSFERS }, (_, n) =>
        ledger.transfer(uid(`t${n}`), accounts[n % 5], accounts[(n + 1 + (n % 4)) % 5], 1 + (n % 7), 'USD'),
      ),
    )
    const refused = results.filter((r) => r.status === 'rejected')
    // A transfer may only fail for lack of points, never for a race.
    for (const r of refused) assert.equal(r.reason.code, 'insufficient_points', r.reason.message)
    assert.ok(results.length - refused.length > TRANSFERS / 2)
    const report = await ledger.verify()
    assert.equal(report.ok, true, report.problems.join('; '))
    let after = 0
    for (const id of accounts) {
      const b = await ledger.balanceIn(id, 'USD')
      assert.ok(b.available >= 0)
      after += b.available
    }
    assert.equal(after, before)
  })
}
