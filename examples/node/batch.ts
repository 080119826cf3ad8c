// A back office forwarding a till's sales in one call with
// `creditChangeColumns`, type-checked against the generated declarations
// (`tsc --noEmit -p examples/node`). Money stays decimal strings; a refused
// sale is reported at its index and the others are credited.
import { type CreditBatch, type CreditChangeColumns, DcmsError, type Ledger, open } from 'dcms'

async function main(): Promise<void> {
  const ledger: Ledger = await open()
  const shop = await ledger.createVendor('corner-shop', 'Corner Shop', 'USD', 'America/New_York')
  const account = await ledger.openAccount('signup-42')

  const sales: CreditChangeColumns = {
    keys: ['corner-shop/r-2001', 'corner-shop/r-2002', 'corner-shop/r-2003'],
    vendor: shop.id,
    account: account.id,
    total: ['6.63', '4.10', '9.99'],
    tendered: ['10.00', '5.00', '5.00'], // the last is too little cash: refused alone
    receiptNo: ['2001', '2002', '2003'],
  }
  const done: CreditBatch = await ledger.creditChangeColumns(sales)
  const points: Float64Array = done.points
  console.log(`credited ${done.totalPoints} points over ${done.length - done.failed} sales (${points.join(', ')})`)
  for (const { index, error } of done.errors) {
    const e: DcmsError = error
    console.log(`sale ${index} refused: ${e.code}`)
  }
  const first = done.get(0)
  if (first !== null) console.log(`receipt ${first.tx?.receiptNo}: hand back ${first.quote.handBack}`)
}

await main()
