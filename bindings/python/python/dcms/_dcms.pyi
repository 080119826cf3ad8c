"""Type stubs of the native module ``dcms._dcms`` (re-exported by ``dcms``)."""

from __future__ import annotations

import os
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any, Iterator, Literal, Mapping, Optional, Sequence, TypedDict, Union, final, overload

__version__: str

#: Money in: a Decimal (or an int for whole amounts); a float is a TypeError.
_Amount = Union[Decimal, int]
#: The limits of one currency's transfers, in its points (a missing or None limit: none).
class _TransferLimits(TypedDict, total=False):
    per_transfer: Optional[int]
    per_day: Optional[int]

#: A change policy name.
_PolicyName = Literal["coin_part", "all_change", "nothing"]
#: A transaction kind.
_TxKindName = Literal[
    "change_credit",
    "redemption",
    "hold",
    "hold_capture",
    "hold_void",
    "hold_release",
    "transfer",
    "reversal",
    "adjustment",
    "expiry",
]

class DcmsError(Exception):
    """Base class of every DCMS error."""

    code: str
    """The core's stable machine-readable code (e.g. ``"unknown_vendor"``)."""
    retryable: bool
    """True when retrying with the same idempotency key may succeed."""
    index: int
    """Set by ``Ledger.credit_change_many``: the failed request's position."""

class InsufficientPointsError(DcmsError):
    """Not enough available points in the currency spent."""

    account: str
    """The customer account id."""
    currency: str
    """The currency spent (points of other currencies never count)."""
    available: int
    """Points available in that currency (0: the account holds none)."""
    requested: int
    """Points the operation needed."""

class UnknownAccountError(DcmsError): ...
class InvalidAmountError(DcmsError): ...

class LimitExceededError(DcmsError):
    """A vendor's change cap or the program's transfer limit refused."""

    limit: Literal["per-credit", "per-day", "per-transfer", "per-day transfer"]
    """Which limit."""
    cap: int
    """The limit, in points."""
    requested: int
    """Points asked for."""
    remaining: int
    """Points still allowed under the limit."""

class IdempotencyConflictError(DcmsError): ...
class StorageUnavailableError(DcmsError): ...

def open(
    url: Union[str, os.PathLike[str], None] = None,
    *,
    points_per_minor: Union[int, Mapping[str, int]] = 1,
    account_id_width: int = 6,
    hold_ttl: Optional[timedelta] = None,
    time_zone: Optional[str] = None,
    transfer_limits: Optional[Mapping[str, _TransferLimits]] = None,
    expiry_months: Optional[int] = None,
    clock: Optional[ManualClock] = None,
    max_connections: Optional[int] = None,
    acquire_timeout: Optional[timedelta] = None,
) -> Ledger:
    """Opens a ledger: None or ``"memory:"`` (in memory), a SQLite file path
    (created if absent), or a ``sqlite://``, ``postgres://`` or ``mysql://`` URL.

    ``points_per_minor``: one int for every currency, or a dict per currency
    code (a currency not listed earns 1). ``transfer_limits``:
    ``{"USD": {"per_transfer": 5000, "per_day": 20000}}``. ``expiry_months``:
    points expire after that many months without activity (None: never).
    ``time_zone``: the program's IANA zone (default UTC).
    ``max_connections`` and ``acquire_timeout`` apply to SQL stores only."""

@final
class ManualClock:
    """A clock that moves only when told to (tests, simulations)."""

    def __new__(cls, at: datetime) -> ManualClock: ...
    def now(self) -> datetime: ...
    def advance(self, by: timedelta) -> None: ...
    def set(self, at: datetime) -> None: ...

@final
class Vendor:
    @property
    def id(self) -> str: ...
    @property
    def name(self) -> str: ...
    @property
    def currency(self) -> str: ...
    @property
    def time_zone(self) -> str: ...
    @property
    def policy(self) -> _PolicyName: ...
    @property
    def per_credit_cap(self) -> Optional[int]: ...
    @property
    def per_day_cap(self) -> Optional[int]: ...

@final
class Account:
    @property
    def id(self) -> str: ...
    @property
    def opened_at(self) -> datetime: ...

@final
class Balance:
    @property
    def available(self) -> int: ...
    @property
    def held(self) -> int: ...

@final
class ChangeQuote:
    @property
    def currency(self) -> str: ...
    @property
    def total(self) -> Decimal: ...
    @property
    def cash_total(self) -> Decimal: ...
    @property
    def tendered(self) -> Decimal: ...
    @property
    def change(self) -> Decimal: ...
    @property
    def coin_part(self) -> Decimal: ...
    @property
    def hand_back(self) -> Decimal: ...
    @property
    def credit(self) -> Decimal: ...
    def to_dict(self) -> dict[str, Any]: ...

@final
class Posting:
    @property
    def account(self) -> str: ...
    @property
    def currency(self) -> str: ...
    @property
    def points(self) -> int: ...

@final
class Transaction:
    @property
    def id(self) -> int: ...
    @property
    def key(self) -> str: ...
    @property
    def kind(self) -> _TxKindName: ...
    @property
    def currency(self) -> Optional[str]: ...
    @property
    def postings(self) -> list[Posting]: ...
    @property
    def balances_after(self) -> dict[str, int]: ...
    @property
    def vendor(self) -> Optional[str]: ...
    @property
    def store_id(self) -> Optional[str]: ...
    @property
    def terminal_id(self) -> Optional[str]: ...
    @property
    def receipt_no(self) -> Optional[str]: ...
    @property
    def cash(self) -> Optional[ChangeQuote]: ...
    @property
    def closes(self) -> Optional[int]: ...
    @property
    def expires_at(self) -> Optional[datetime]: ...
    @property
    def memo(self) -> Optional[str]: ...
    @property
    def at(self) -> datetime: ...
    def points_for(self, account: str) -> int: ...
    def to_dict(self) -> dict[str, Any]: ...

@final
class ChangeCredited:
    @property
    def quote(self) -> ChangeQuote: ...
    @property
    def points(self) -> int: ...
    @property
    def tx(self) -> Optional[Transaction]: ...
    @property
    def replayed(self) -> bool: ...

@final
class Appended:
    @property
    def tx(self) -> Transaction: ...
    @property
    def replayed(self) -> bool: ...

@final
class VerifyReport:
    @property
    def ok(self) -> bool: ...
    @property
    def transactions(self) -> int: ...
    @property
    def accounts(self) -> int: ...
    @property
    def problems(self) -> list[str]: ...
    def __bool__(self) -> bool: ...

@final
class ExpiryReport:
    """What ``Ledger.expire_inactive`` did."""

    @property
    def expired(self) -> int: ...
    @property
    def already_expired(self) -> int: ...
    @property
    def skipped(self) -> int: ...
    @property
    def points(self) -> dict[str, int]: ...

@final
class ExpiringPoints:
    """Points of one account and currency that will expire unless it moves."""

    @property
    def customer(self) -> str: ...
    @property
    def currency(self) -> str: ...
    @property
    def points(self) -> int: ...
    @property
    def last_activity(self) -> datetime: ...
    @property
    def expires_at(self) -> datetime: ...

@final
class Page:
    @property
    def items(self) -> list[Transaction]: ...
    @property
    def next_cursor(self) -> Optional[str]: ...
    def __len__(self) -> int: ...
    def __iter__(self) -> Iterator[Transaction]: ...

@final
class History:
    def __iter__(self) -> History: ...
    def __next__(self) -> Page: ...

@final
class LocalDirStore:
    """Objects (statement documents) kept in a local directory."""

    def __new__(cls, path: Union[str, os.PathLike[str]]) -> LocalDirStore: ...
    @property
    def root(self) -> Path: ...
    def get(self, key: str) -> bytes: ...
    def list(self, prefix: str = "") -> list[str]: ...

@final
class Statement:
    @property
    def kind(self) -> Literal["vendor", "customer"]: ...
    @property
    def owner(self) -> str: ...
    @property
    def name(self) -> str: ...
    @property
    def currency(self) -> str: ...
    @property
    def month(self) -> str: ...
    @property
    def time_zone(self) -> str: ...
    @property
    def from_(self) -> datetime: ...
    @property
    def to(self) -> datetime: ...
    @property
    def opening(self) -> int: ...
    @property
    def closing(self) -> int: ...
    @property
    def totals(self) -> list[dict[str, Any]]: ...
    @property
    def days(self) -> list[dict[str, Any]]: ...
    @property
    def settlement(self) -> Optional[dict[str, Any]]: ...
    def day_rows(self) -> list[dict[str, Any]]: ...
    def to_dict(self) -> dict[str, Any]: ...

@final
class VendorClose:
    @property
    def vendor(self) -> str: ...
    @property
    def outcome(self) -> Literal["issued", "reissued", "unchanged"]: ...
    @property
    def objects(self) -> list[str]: ...
    @property
    def lines(self) -> int: ...
    @property
    def digest(self) -> str: ...

@final
class CloseReport:
    @property
    def closed(self) -> list[VendorClose]: ...
    @property
    def failed(self) -> list[tuple[str, DcmsError]]: ...

@final
class CreditChange:
    def __new__(
        cls,
        key: str,
        vendor: str,
        account: str,
        total: _Amount,
        tendered: _Amount,
        *,
        store_id: Optional[str] = None,
        terminal_id: Optional[str] = None,
        receipt_no: Optional[str] = None,
    ) -> CreditChange: ...
    @property
    def key(self) -> str: ...

@final
class Ledger:
    @property
    def backend(self) -> Literal["memory", "sqlite", "postgres", "mysql", "unknown"]: ...
    @property
    def points_per_minor(self) -> dict[str, int]: ...
    def points_per_minor_in(self, currency: str) -> int: ...
    @property
    def time_zone(self) -> str: ...
    # accounts and vendors
    def open_account(self, key: str) -> Account: ...
    def account(self, id: str) -> Account: ...
    def parse_account_id(self, text: str) -> str: ...
    def create_vendor(
        self,
        id: str,
        name: str,
        currency: str,
        time_zone: str,
        *,
        policy: _PolicyName = "coin_part",
        per_credit_cap: Optional[int] = None,
        per_day_cap: Optional[int] = None,
    ) -> Vendor: ...
    def update_vendor(
        self,
        id: str,
        name: str,
        currency: str,
        time_zone: str,
        *,
        policy: _PolicyName = "coin_part",
        per_credit_cap: Optional[int] = None,
        per_day_cap: Optional[int] = None,
    ) -> Vendor: ...
    def vendor(self, id: str) -> Vendor: ...
    def vendors(self) -> list[Vendor]: ...
    # writes
    def credit_change(
        self,
        key: str,
        vendor: str,
        account: str,
        total: _Amount,
        tendered: _Amount,
        *,
        store_id: Optional[str] = None,
        terminal_id: Optional[str] = None,
        receipt_no: Optional[str] = None,
    ) -> ChangeCredited: ...
    def credit_change_many(self, requests: Sequence[CreditChange]) -> list[ChangeCredited]: ...
    def redeem(
        self,
        key: str,
        vendor: str,
        account: str,
        points: int,
        *,
        store_id: Optional[str] = None,
        terminal_id: Optional[str] = None,
        receipt_no: Optional[str] = None,
    ) -> Appended: ...
    def hold(
        self,
        key: str,
        vendor: str,
        account: str,
        points: int,
        *,
        ttl: Optional[timedelta] = None,
        store_id: Optional[str] = None,
        terminal_id: Optional[str] = None,
        receipt_no: Optional[str] = None,
    ) -> Appended: ...
    def capture(self, key: str, hold: int, points: Optional[int] = None) -> Appended: ...
    def void_hold(self, key: str, hold: int) -> Appended: ...
    def release_expired_holds(self) -> int: ...
    def transfer(
        self, key: str, from_account: str, to_account: str, points: int, *, currency: str
    ) -> Appended: ...
    def reverse(self, key: str, tx: int, reason: str) -> Appended: ...
    def adjust(self, key: str, account: str, points: int, reason: str, *, currency: str) -> Appended: ...
    def expire(self, key: str, account: str, points: int, reason: str, *, currency: str) -> Appended: ...
    def expire_inactive(self, as_of: datetime) -> ExpiryReport: ...
    def expiring_within(self, as_of: datetime, within: timedelta) -> list[ExpiringPoints]: ...
    # reads
    def quote_change(self, vendor: str, total: _Amount, tendered: _Amount) -> ChangeQuote: ...
    @overload
    def balance(self, account: str, currency: None = None) -> dict[str, Balance]: ...
    @overload
    def balance(self, account: str, currency: str) -> Balance: ...
    def vendor_liability(self, vendor: str) -> int: ...
    def history(
        self,
        account: str,
        *,
        currency: Optional[str] = None,
        page_size: int = 50,
        after: Optional[str] = None,
    ) -> History: ...
    def transaction(self, id: int) -> Transaction: ...
    def verify(self) -> VerifyReport: ...
    # analytics, statements, month close
    def journal_rows(self, month: str, *, time_zone: str = "UTC") -> list[dict[str, Any]]: ...
    def vendor_statement(self, vendor: str, month: str) -> Statement: ...
    @overload
    def customer_statement(
        self, account: str, month: str, currency: None = None, *, time_zone: str = "UTC"
    ) -> list[Statement]: ...
    @overload
    def customer_statement(
        self, account: str, month: str, currency: str, *, time_zone: str = "UTC"
    ) -> Statement: ...
    def statement_rows(self, statement: Statement) -> list[dict[str, Any]]: ...
    def close_month(
        self,
        month: str,
        objects: LocalDirStore,
        *,
        vendors: Optional[Sequence[str]] = None,
        kms_key_id: Optional[str] = None,
    ) -> CloseReport: ...
