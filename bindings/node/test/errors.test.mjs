// Every error code the core has: the class a caller catches, `code`,
// `retryable` and the details a caller acts on.
import assert from 'node:assert/strict'
import { writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import path from 'node:path'
import { describe, test } from 'node:test'

import { BACKENDS, dcms, fixture, tempDir } from './helpers.mjs'

const require = createRequire(import.meta.url)
const { fromEnvelope } = require('../errors.cjs')

/** Asserts that `promise` rejects with an instance of `Class` with `code`; returns the error. */
async function rejectsWith(promise, Class, code) {
  let caught = null
  await assert.rejects(promise, (e) => {
    caught = e
    return true
  })
  assert.ok(caught instanceof Class, `${caught?.constructor?.name} is not a ${Class.name}: ${caught?.message}`)
  assert.equal(caught.code, code)
  assert.equal(caught.name, Class.name)
  assert.equal(typeof caught.message, 'string')
  return caught
}

test('the classes form one hierarchy under Error', () => {
  for (const Class of [
    dcms.InsufficientPointsError,
    dcms.UnknownAccountError,
    dcms.InvalidAmountError,
    dcms.LimitExceededError,
    dcms.IdempotencyConflictError,
    dcms.StorageUnavailableError,
  ]) {
    assert.ok(Class.prototype instanceof dcms.DcmsError, Class.name)
  }
  assert.ok(dcms.DcmsError.prototype instanceof Error)
})

for (const backend of BACKENDS) {
  describe(`errors on ${backend}`, () => {
    test('insufficient_points names the account and the currency', async (t) => {
      const f = await fixture(t, backend)
      if (f === null) return
      await f.ledger.creditChange(f.uid('r'), f.shop.id, f.account, '6.63', '10.00')
      const e = await rejectsWith(
        f.ledger.redeem(f.uid('d'), f.shop.id, f.account, 100),
        dcms.InsufficientPointsError,
        'insufficient_points',
      )
      assert.deepEqual([e.account, e.currency, e.available, e.requested, e.retryable], [f.account, 'USD', 37, 100, false])
    })

    test('unknown_account and invalid_account_id', async (t) => {
      const f = await fixture(t, backend)
      if (f === null) return
      // A valid check digit that no account has in this test: try a few.
      let missing = null
      for (const candidate of ['100009', '999999', '314155', '482135']) {
        if ((await f.ledger.account(candidate).catch((e) => e)) instanceof dcms.UnknownAccountError) {
          missing = candidate
          break
        }
      }
      assert.notEqual(missing, null)
      await rejectsWith(f.ledger.account(missing), dcms.UnknownAccountError, 'unknown_account')
      const typo = f.account.slice(0, 5) + String((Number(f.account[5]) + 1) % 10)
      await rejectsWith(f.ledger.account(typo), dcms.UnknownAccountError, 'invalid_account_id')
    })

    test('invalid_amount and insufficient_cash', async (t) => {
      const f = await fixture(t, backend)
      if (f === null) return
      await rejectsWith(
        f.ledger.creditChange(f.uid('a'), f.shop.id, f.account, '6.631', '10.00'),
        dcms.InvalidAmountError,
        'invalid_amount',
      )
      await rejectsWith(f.ledger.quoteChange(f.shop.id, 'six', '10'), dcms.InvalidAmountError, 'invalid_amount')
      await rejectsWith(f.ledger.quoteChange(f.shop.id, '10.00', '5.00'), dcms.InvalidAmountError, 'insufficient_cash')
    })

    test('limit_exceeded: a vendor cap and a transfer limit', async (t) => {
      const f = await fixture(t, backend, { transferLimits: { USD: { perTransfer: 10, perDay: 15 } } })
      if (f === null) return
      const capped = await f.ledger.createVendor(f.uid('capped'), 'Capped', 'USD', 'UTC', { perCreditCap: 20 })
      const e = await rejectsWith(
        f.ledger.creditChange(f.uid('c'), capped.id, f.account, '6.63', '10.00'),
        dcms.LimitExceededError,
        'limit_exceeded',
      )
      assert.deepEqual([e.limit, e.cap, e.requested, e.remaining], ['per-credit', 20, 37, 20])
      await f.ledger.creditChange(f.uid('r'), f.shop.id, f.account, '0.01', '1.00')
      const bob = (await f.ledger.openAccount(f.uid('bob'))).id
      const t1 = await rejectsWith(
        f.ledger.transfer(f.uid('t1'), f.account, bob, 11, 'USD'),
        dcms.LimitExceededError,
        'limit_exceeded',
      )
      assert.equal(t1.limit, 'per-transfer')
      await f.ledger.transfer(f.uid('t2'), f.account, bob, 10, 'USD')
      const t3 = await rejectsWith(
        f.ledger.transfer(f.uid('t3'), f.account, bob, 10, 'USD'),
        dcms.LimitExceededError,
        'limit_exceeded',
      )
      assert.deepEqual([t3.limit, t3.remaining], ['per-day transfer', 5])
    })

    test('idempotency_conflict', async (t) => {
      const f = await fixture(t, backend)
      if (f === null) return
      await f.ledger.creditChange(f.uid('k'), f.shop.id, f.account, '6.63', '10.00')
      const e = await rejectsWith(
        f.ledger.creditChange(f.uid('k'), f.shop.id, f.account, '6.64', '10.00'),
        dcms.IdempotencyConflictError,
        'idempotency_conflict',
      )
      assert.equal(e.retryable, false)
    })

    test('codes without a class of their own are plain DcmsErrors', async (t) => {
      const f = await fixture(t, backend)
      if (f === null) return
      const { ledger, uid, shop, account } = f
      await ledger.creditChange(uid('r'), shop.id, account, '0.01', '1.00')
      const spent = await ledger.creditChange(uid('r2'), shop.id, account, '0.90', '1.00')
      await ledger.redeem(uid('d'), shop.id, account, 100)
      const h = await ledger.hold(uid('h'), shop.id, account, 5)
      await ledger.voidHold(uid('v'), h.tx.id)
      const t1 = await ledger.adjust(uid('adj'), account, 3, 'x', 'USD')
      await ledger.reverse(uid('rev'), t1.tx.id, 'undo')
      const cases = [
        [() => ledger.vendor(uid('ghost')), 'unknown_vendor'],
        [() => ledger.createVendor(shop.id, 'Other name', 'USD', 'UTC'), 'duplicate_vendor'],
        [() => ledger.transaction(10 ** 15), 'unknown_transaction'],
        [() => ledger.createVendor(uid('v'), 'V', 'XXX', 'UTC'), 'unknown_currency'],
        [() => ledger.balanceIn(account, 'usdollar'), 'unknown_currency'],
        [() => ledger.createVendor(uid('v'), 'V', 'USD', 'Mars/Base'), 'invalid_input'],
        [() => ledger.createVendor(uid('v'), 'V', 'USD', 'UTC', { policy: 'some' }), 'invalid_input'],
        [() => ledger.adjust(uid('a0'), account, 0, 'zero', 'USD'), 'invalid_input'],
        [() => ledger.reverse(uid('rev2'), t1.tx.id, 'again'), 'already_closed'],
        [() => ledger.reverse(uid('rev3'), spent.tx.id, 'spent already'), 'not_reversible'],
        [() => ledger.capture(uid('cap'), h.tx.id), 'hold_not_open'],
        [() => ledger.vendorStatement(shop.id, '2026-13'), 'invalid_input'],
      ]
      for (const [call, code] of cases) {
        const e = await rejectsWith(call(), dcms.DcmsError, code)
        assert.equal(e.constructor, dcms.DcmsError, code)
        assert.equal(e.retryable, false)
      }
      const pages = ledger.history(account, { after: 'not-a-cursor' })
      await rejectsWith(pages[Symbol.asyncIterator]().next(), dcms.DcmsError, 'invalid_cursor')
    })
  })
}

test('account_ids_exhausted: a 3-digit program has 90 ids', async () => {
  const ledger = await dcms.open(null, { accountIdWidth: 3 })
  for (let n = 0; n < 90; n++) await ledger.openAccount(`a${n}`)
  const e = await rejectsWith(ledger.openAccount('one-too-many'), dcms.DcmsError, 'account_ids_exhausted')
  assert.equal(e.constructor, dcms.DcmsError)
})

test('storage_unavailable is retryable', async () => {
  // Nothing listens on port 1: the pool gives up after the timeout.
  const e = await rejectsWith(
    dcms.open('postgres://nobody:x@127.0.0.1:1/none', { acquireTimeoutMs: 500 }),
    dcms.StorageUnavailableError,
    'storage_unavailable',
  )
  assert.equal(e.retryable, true)
})

test('object_not_found and storage from the local object store', async () => {
  const dir = tempDir()
  const objects = new dcms.LocalDirStore(path.join(dir, 'objects'))
  await rejectsWith(objects.get('statements/none/2026-01.csv'), dcms.DcmsError, 'object_not_found')
  writeFileSync(path.join(dir, 'a-file'), 'not a directory')
  assert.throws(
    () => new dcms.LocalDirStore(path.join(dir, 'a-file', 'objects')),
    (e) => e.code === 'storage' && e instanceof dcms.DcmsError,
  )
})

test('codes no Node call can reach still map to their class', () => {
  // `unsupported` (an encryption a store lacks) and `notify_failed` (a
  // notifier other than the log one) come from S3 and webhook stores the
  // Node package does not open; the envelope is what would carry them.
  for (const code of ['unsupported', 'notify_failed']) {
    const e = fromEnvelope(`DCMS_ERROR ${JSON.stringify({ code, message: code, retryable: false, details: {} })}`)
    assert.equal(e.constructor, dcms.DcmsError)
    assert.equal(e.code, code)
  }
})
