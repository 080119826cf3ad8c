"""The shared test vectors (tests/vectors/*.json at the repository root),
run through the Python package. The Rust core and the Node package run the
same files, so a binding that drifts fails here.

Amounts are Python Decimals, so only the `values` of amounts.json apply:
the `syntax` cases are about reading money as text, which Python leaves to
its own `decimal.Decimal`.
"""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any, Callable, Optional

import pytest

import dcms

VECTORS = Path(__file__).resolve().parents[3] / "tests" / "vectors"


def load(name: str) -> Any:
    return json.loads((VECTORS / name).read_text(encoding="utf-8"))


def code_of(call: Callable[[], Any]) -> tuple[str, Any]:
    """("ok", result) or (the DcmsError's code, None)."""
    try:
        return "ok", call()
    except dcms.DcmsError as e:
        return e.code, None


COIN_CASES = load("coin_change.json")["cases"]


@pytest.mark.parametrize("case", COIN_CASES, ids=[c["name"] for c in COIN_CASES])
def test_coin_change(case: dict[str, Any]) -> None:
    rate = case.get("points_per_minor")
    ledger = dcms.open(points_per_minor={case["currency"]: rate} if rate else 1)
    vendor = ledger.create_vendor("v", "V", case["currency"], "UTC", policy=case.get("policy", "coin_part"))
    account = ledger.open_account("a").id
    total, tendered = Decimal(case["total"]), Decimal(case["tendered"])
    quote = code_of(lambda: ledger.quote_change(vendor.id, total, tendered))
    credit = code_of(lambda: ledger.credit_change("k", vendor.id, account, total, tendered))
    if "error" in case:
        assert quote[0] == case["error"]
        assert credit[0] == case["error"]
        return
    q = quote[1]
    expect = case["expect"]
    for field in ["cash_total", "change", "coin_part", "hand_back", "credit"]:
        assert str(getattr(q, field)) == expect[field], field
    assert credit[1].points == expect["points"]
    assert ledger.balance(account, case["currency"]).available == expect["points"]


AMOUNT_VALUES = load("amounts.json")["values"]


@pytest.mark.parametrize("case", AMOUNT_VALUES, ids=[f"{c['text']} {c['currency']}" for c in AMOUNT_VALUES])
def test_amount_values(case: dict[str, Any]) -> None:
    ledger = dcms.open()
    vendor = ledger.create_vendor("v", "V", case["currency"], "UTC")
    value = Decimal(case["text"])
    got = code_of(lambda: ledger.quote_change(vendor.id, value, value))
    if "error" in case:
        assert got[0] == case["error"]
    else:
        assert got[0] == "ok"
        assert str(got[1].total) == case["decimal"]


ACCOUNT_CASES = load("account_ids.json")["cases"]


@pytest.mark.parametrize("case", ACCOUNT_CASES, ids=[f"{c['text']!r} w{c['width']}" for c in ACCOUNT_CASES])
def test_account_ids(case: dict[str, Any]) -> None:
    ledger = dcms.open(account_id_width=case["width"])
    got = code_of(lambda: ledger.parse_account_id(case["text"]))
    if case["valid"]:
        assert got == ("ok", case["text"])
    else:
        assert got[0] == "invalid_account_id", case["why"]


def run_step(ledger: dcms.Ledger, step: dict[str, Any], names: dict[str, Any], uid: Callable[[str], str]) -> Optional[int]:
    """Runs one scenario step; returns the id of the transaction it wrote, if any."""
    op = step["op"]
    acct = lambda key: names[step[key]]  # noqa: E731
    if op == "vendor":
        ledger.create_vendor(uid(step["id"]), step["name"], step["currency"], step["time_zone"])
    elif op == "account":
        names[step["as"]] = ledger.open_account(uid(step["as"])).id
    elif op == "credit":
        c = ledger.credit_change(
            uid(step["key"]), uid(step["vendor"]), acct("account"), Decimal(step["total"]), Decimal(step["tendered"])
        )
        assert (c.points, c.replayed) == (step["expect"]["points"], step["expect"]["replayed"])
        return c.tx.id if c.tx else None
    elif op == "hold":
        return ledger.hold(uid(step["key"]), uid(step["vendor"]), acct("account"), step["points"]).tx.id
    elif op == "capture":
        return ledger.capture(uid(step["key"]), names[step["hold"]], step.get("points")).tx.id
    elif op == "transfer":
        t = ledger.transfer(uid(step["key"]), acct("from"), acct("to"), step["points"], currency=step["currency"])
        return t.tx.id
    elif op == "redeem":
        return ledger.redeem(uid(step["key"]), uid(step["vendor"]), acct("account"), step["points"]).tx.id
    elif op == "reverse":
        return ledger.reverse(uid(step["key"]), names[step["tx"]], step["reason"]).tx.id
    elif op == "balance":
        b = ledger.balance(acct("account"), step["currency"])
        assert (b.available, b.held) == (step["available"], step["held"])
    elif op == "liability":
        assert ledger.vendor_liability(uid(step["vendor"])) == step["points"]
    elif op == "verify":
        report = ledger.verify()
        assert report.ok, report.problems
    else:
        raise AssertionError(f"unknown op {op}")
    return None


def test_scenario(ledger: dcms.Ledger, uid: Callable[[str], str]) -> None:
    """The multi-currency story, on every backend (memory, SQLite, PostgreSQL)."""
    names: dict[str, Any] = {}
    for n, step in enumerate(load("scenario.json")["steps"]):
        code, tx = code_of(lambda: run_step(ledger, step, names, uid))
        assert code == step.get("error", "ok"), f"step {n} {step}"
        if "as" in step and tx is not None:
            names[step["as"]] = tx
