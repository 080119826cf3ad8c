"""DCMS: the coin change of cash sales as points on customer accounts.

A double-entry points ledger in Rust, opened from Python::

    import dcms
    from decimal import Decimal

    ledger = dcms.open()  # in memory; or a SQLite path, or a postgres:// / mysql:// URL
    shop = ledger.create_vendor("corner-shop", "Corner Shop", "USD", "America/New_York")
    account = ledger.open_account("signup-42")
    sale = ledger.credit_change("corner-shop/r-1001", shop.id, account.id, Decimal("6.63"), Decimal("10.00"))
    print(sale.quote.hand_back, sale.points)  # 3.00 37
    ledger.balance(account.id)         # {'USD': Balance(available=37, held=0)}
    ledger.balance(account.id, "USD")  # Balance(available=37, held=0)

Points carry their currency: a customer holds one balance per currency,
a redemption spends the vendor's currency only, and ``transfer``,
``adjust`` and ``expire`` name theirs (``currency="JPY"``).

Money is ``decimal.Decimal`` in and out (a ``float`` is a ``TypeError``),
times are timezone-aware ``datetime`` objects, and every error is a
``DcmsError`` whose ``code`` is the core's machine-readable code. Each call
releases the GIL while the Rust core works; a ``Ledger`` may be shared by
many threads.
"""

from dcms._dcms import (
    Account,
    Appended,
    Balance,
    ChangeCredited,
    ChangeQuote,
    CloseReport,
    CreditChange,
    DcmsError,
    ExpiringPoints,
    ExpiryReport,
    History,
    IdempotencyConflictError,
    InsufficientPointsError,
    InvalidAmountError,
    Ledger,
    LimitExceededError,
    LocalDirStore,
    ManualClock,
    Page,
    Posting,
    Statement,
    StorageUnavailableError,
    Transaction,
    UnknownAccountError,
    Vendor,
    VendorClose,
    VerifyReport,
    __version__,
    open,
)
from dcms import analytics

__all__ = [
    "Account",
    "Appended",
    "Balance",
    "ChangeCredited",
    "ChangeQuote",
    "CloseReport",
    "CreditChange",
    "DcmsError",
    "ExpiringPoints",
    "ExpiryReport",
    "History",
    "IdempotencyConflictError",
    "InsufficientPointsError",
    "InvalidAmountError",
    "Ledger",
    "LimitExceededError",
    "LocalDirStore",
    "ManualClock",
    "Page",
    "Posting",
    "Statement",
    "StorageUnavailableError",
    "Transaction",
    "UnknownAccountError",
    "Vendor",
    "VendorClose",
    "VerifyReport",
    "__version__",
    "analytics",
    "open",
]
