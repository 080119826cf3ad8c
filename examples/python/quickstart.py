"""The README's five lines: a cash sale's coin change becomes points."""

from decimal import Decimal
import dcms

ledger = dcms.open()  # in memory; a file path keeps it in SQLite, "postgres://…" on a server
shop = ledger.create_vendor("corner-shop", "Corner Shop", "USD", "America/New_York")
account = ledger.open_account("signup-42")
sale = ledger.credit_change("corner-shop/r-1001", shop.id, account.id, Decimal("6.63"), Decimal("10.00"))
print(sale.quote.hand_back, sale.points, ledger.balance(account.id, "USD").available)  # 3.00 37 37
