// A point-of-sale walkthrough with the `dcms` npm package: the steps of the
// Python quickstart (examples/python/quickstart.py), then a redemption and
// the month's statement.
//
//   node examples/node/pos.mjs          (after scripts/test-node.sh built the addon)
//
// Money is a decimal string ("6.63"): a JavaScript number for money is a
// TypeError. Every call returns a Promise.
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'

import { InsufficientPointsError, LocalDirStore, open } from 'dcms'

// In memory; a file path keeps it in SQLite, "postgres://…" on a server.
const ledger = await open()
const shop = await ledger.createVendor('corner-shop', 'Corner Shop', 'USD', 'America/New_York')
const account = await ledger.openAccount('signup-42')

// 1. The cashier rings up 6.63 and the customer hands over 10.00.
const quote = await ledger.quoteChange(shop.id, '6.63', '10.00')
console.log(`hand back ${quote.handBack} in notes, credit ${quote.credit} of ${quote.change} change`)

// 2. Credit the coins to the customer's account (the key makes a retry safe).
const sale = await ledger.creditChange('corner-shop/r-1001', shop.id, account.id, '6.63', '10.00', {
  receiptNo: '1001',
})
console.log(`credited ${sale.points} ${sale.quote.currency} points to account ${account.id}`)

// 3. A later sale pays 25 points; more than the balance is refused.
await ledger.redeem('corner-shop/r-1002', shop.id, account.id, 25, { receiptNo: '1002' })
try {
  await ledger.redeem('corner-shop/r-1003', shop.id, account.id, 500, { receiptNo: '1003' })
} catch (e) {
  if (!(e instanceof InsufficientPointsError)) throw e
  console.log(`refused: only ${e.available} ${e.currency} points available`)
}

// 4. The balance, one per currency.
const balance = await ledger.balanceIn(account.id, 'USD')
console.log(`balance: ${balance.available} USD points available, ${balance.held} held`)

// 5. The shop's statement for this month (its own calendar), and the month
// closed into a local directory as CSV, JSON and PDF.
const month = new Intl.DateTimeFormat('en-CA', { timeZone: shop.timeZone, year: 'numeric', month: '2-digit' })
  .format(sale.tx.at)
  .slice(0, 7)
const statement = await ledger.vendorStatement(shop.id, month)
console.log(`statement ${statement.month}: ${statement.opening} -> ${statement.closing} points owed`)
for (const row of await ledger.statementRows(statement)) {
  console.log(`  ${row.time} ${row.kind} receipt ${row.receiptNo} ${row.points}`)
}
const objects = new LocalDirStore(path.join(mkdtempSync(path.join(tmpdir(), 'dcms-pos-')), 'objects'))
const closed = await ledger.closeMonth(month, objects)
console.log(`month closed: ${closed.closed.map((c) => c.objects.join(', ')).join('; ')}`)
