//! Spending a code: the checks, the count of wrong tries, and the ledger
//! write the code allows.

use std::future::Future;

use super::{refused, CodeRecord, CodeState, RedemptionCodes, CODE_DIGITS};
use crate::error::{Error, Result};
use crate::ids::CustomerId;
use crate::ledger::{HoldRequest, Ledger, Redeem};
use crate::money::CurrencyCode;
use crate::transaction::Appended;

/// How many times a spend re-reads a code another spend changed meanwhile.
const RETRIES: usize = 16;

/// What a spend asks of a code.
struct Spend<'a> {
    account: CustomerId,
    currency: CurrencyCode,
    points: i64,
    key: &'a str,
    code: &'a str,
}

impl RedemptionCodes {
    /// Redeems points at a vendor in one step, with the customer's code.
    pub async fn redeem(&self, ledger: &Ledger, req: &Redeem, code: &str) -> Result<Appended> {
        let vendor = ledger.vendor(&req.vendor).await?;
        let spend = Spend {
            account: req.account,
            currency: vendor.currency.code,
            points: req.points,
            key: &req.key,
            code,
        };
        self.spend(ledger, &spend, || ledger.redeem(req)).await
    }

    /// Holds points for a two-phase redemption, with the customer's code
    /// (the capture and void that follow need no code: they name the hold).
    pub async fn hold(&self, ledger: &Ledger, req: &HoldRequest, code: &str) -> Result<Appended> {
        let vendor = ledger.vendor(&req.vendor).await?;
        let spend = Spend {
            account: req.account,
            currency: vendor.currency.code,
            points: req.points,
            key: &req.key,
            code,
        };
        self.spend(ledger, &spend, || ledger.hold(req)).await
    }

    async fn spend<F, Fut>(&self, ledger: &Ledger, spend: &Spend<'_>, write: F) -> Result<Appended>
    where
        F: Fn() -> Fut,
        Fut: Future<Output = Result<Appended>>,
    {
        if spend.code.len() != CODE_DIGITS || !spend.code.bytes().all(|b| b.is_ascii_digit()) {
            return Err(Error::invalid_input(
                "code",
                format!("a redemption code is {CODE_DIGITS} digits"),
            ));
        }
        for _ in 0..RETRIES {
            let now = ledger.clock().now();
            let Some(rec) = self.store.current(spend.account).await? else {
                return Err(refused(
                    "no code was issued for this account; ask the customer for a new code",
                ));
            };
            match &rec.state {
                // A retry of the spend that took or spent this code replays
                // through the ledger's own idempotency.
                CodeState::Taken { spend_key } | CodeState::Spent { spend_key }
                    if spend_key == spend.key && self.matches(&rec, spend.code) =>
                {
                    return write().await;
                }
                CodeState::Taken { .. } | CodeState::Spent { .. } => {
                    return Err(refused(
                        "this code was already used; ask the customer for a new code",
                    ))
                }
                CodeState::Dead => {
                    return Err(refused(
                        "this code is no longer valid; ask the customer for a new code",
                    ))
                }
                CodeState::Live => {}
            }
            if now >= rec.expires_at {
                return Err(refused(
                    "this code has expired; ask the customer for a new code",
                ));
            }
            if !self.matches(&rec, spend.code) {
                match self.wrong_try(&rec).await? {
                    Some(err) => return Err(err),
                    None => continue,
                }
            }
            if rec.currency != spend.currency {
                return Err(refused(format!(
                    "this code spends {} points and this vendor takes {}",
                    rec.currency, spend.currency
                )));
            }
            if spend.points > rec.max_points {
                return Err(refused(format!(
                    "this code allows at most {} points, {} requested",
                    rec.max_points, spend.points
                )));
            }
            let taken = CodeRecord {
                state: CodeState::Taken {
                    spend_key: spend.key.to_string(),
                },
                ..rec.clone()
            };
            if !self.store.replace(rec.version, taken.clone()).await? {
                continue;
            }
            let result = write().await;
            let settled = CodeRecord {
                state: match &result {
                    Ok(_) => CodeState::Spent {
                        spend_key: spend.key.to_string(),
                    },
                    // The write did not happen: the code may be used again.
                    Err(_) => CodeState::Live,
                },
                ..taken
            };
            // Only this spend moves a taken code on, so the swap lands; if
            // the store lost it, a spent code stays taken (still unusable).
            self.store
                .replace(rec.version.saturating_add(1), settled)
                .await?;
            return result;
        }
        Err(Error::StorageUnavailable(
            "the code changed too often while it was checked".into(),
        ))
    }

    /// Counts a wrong try; the code dies at the limit. Returns the error to
    /// give, or None when another spend changed the code first (re-read).
    async fn wrong_try(&self, rec: &CodeRecord) -> Result<Option<Error>> {
        let attempts = rec.attempts.saturating_add(1);
        let dead = attempts >= self.rules.max_attempts;
        let next = CodeRecord {
            attempts,
            state: if dead {
                CodeState::Dead
            } else {
                CodeState::Live
            },
            ..rec.clone()
        };
        if !self.store.replace(rec.version, next).await? {
            return Ok(None);
        }
        let left = self.rules.max_attempts - attempts;
        Ok(Some(if dead {
            refused("wrong code; too many wrong tries, the code is no longer valid")
        } else {
            refused(format!("wrong code; {left} tries left"))
        }))
    }
}
