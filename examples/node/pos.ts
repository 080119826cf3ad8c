// The POS walkthrough of pos.mjs in TypeScript, type-checked against the
// package's generated declarations (`tsc --noEmit -p examples/node`).
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'

import {
  type Balance,
  type ChangeCredited,
  type ChangeQuote,
  DcmsError,
  InsufficientPointsError,
  type Ledger,
  LocalDirStore,
  open,
  type Statement,
  type Vendor,
} from 'dcms'

async function main(): Promise<void> {
  const ledger: Ledger = await open()
  const shop: Vendor = await ledger.createVendor('corner-shop', 'Corner Shop', 'USD', 'America/New_York')
  const account = await ledger.openAccount('signup-42')

  const quote: ChangeQuote = await ledger.quoteChange(shop.id, '6.63', '10.00')
  console.log(`hand back ${quote.handBack} in notes, credit ${quote.credit} of ${quote.change} change`)

  const sale: ChangeCredited = await ledger.creditChange('corner-shop/r-1001', shop.id, account.id, '6.63', '10.00', {
    receiptNo: '1001',
  })
  const points: number = sale.points
  console.log(`credited ${points} ${sale.quote.currency} points to account ${account.id}`)

  await ledger.redeem('corner-shop/r-1002', shop.id, account.id, 25n, { receiptNo: '1002' })
  try {
    await ledger.redeem('corner-shop/r-1003', shop.id, account.id, 500, { receiptNo: '1003' })
  } catch (e) {
    if (e instanceof InsufficientPointsError) {
      console.log(`refused: only ${e.available} ${e.currency} points available`)
    } else if (e instanceof DcmsError) {
      console.log(`refused (${e.code}, retryable: ${e.retryable})`)
    } else {
      throw e
    }
  }

  const balance: Balance = await ledger.balanceIn(account.id, 'USD')
  console.log(`balance: ${balance.available} USD points available, ${balance.held} held`)

  const month = new Intl.DateTimeFormat('en-CA', { timeZone: shop.timeZone, year: 'numeric', month: '2-digit' })
    .format(sale.tx?.at ?? new Date())
    .slice(0, 7)
  const statement: Statement = await ledger.vendorStatement(shop.id, month)
  console.log(`statement ${statement.month}: ${statement.opening} -> ${statement.closing} points owed`)
  for (const row of await ledger.statementRows(statement)) {
    console.log(`  ${row.time} ${row.kind} receipt ${row.receiptNo ?? '-'} ${row.points}`)
  }
  const objects = new LocalDirStore(path.join(mkdtempSync(path.join(tmpdir(), 'dcms-pos-')), 'objects'))
  const closed = await ledger.closeMonth(month, objects)
  console.log(`month closed: ${closed.closed.map((c) => c.objects.join(', ')).join('; ')}`)

  for await (const page of ledger.history(account.id, { pageSize: 10 })) {
    for (const tx of page.items) console.log(`  tx ${tx.id} ${tx.kind} at ${tx.at.toISOString()}`)
  }
}

await main()
