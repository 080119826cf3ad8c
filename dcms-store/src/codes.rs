//! [`CodeStore`] on the ledger's database: one-time redemption codes
//! survive a restart and are shared by every process of the program.
//! Each issuance is a row; an account's current code is its newest
//! (`seq`); every change is a compare-and-swap on the row's `version`.

use async_trait::async_trait;
use dcms_core::codes::{CodeRecord, CodeState, CodeStore};
use dcms_core::{CurrencyCode, CustomerId, Error, Result};
use sqlx::any::AnyRow;
use sqlx::Row;

use crate::codec::{nanos, time};
use crate::error::{corrupt, db};
use crate::store::{Inner, SqlStore};

const COLUMNS: &str = "issue_key, account, currency, max_points, code_hash, expires_at, attempts, state, spend_key, version";

fn state_parts(state: &CodeState) -> (&'static str, Option<String>) {
    match state {
        CodeState::Live => ("live", None),
        CodeState::Taken { spend_key } => ("taken", Some(spend_key.clone())),
        CodeState::Spent { spend_key } => ("spent", Some(spend_key.clone())),
        CodeState::Dead => ("dead", None),
    }
}

fn decode(row: &AnyRow) -> Result<CodeRecord> {
    let bad = |what: &str| corrupt("redemption code", what);
    let account: i64 = row.try_get(1).map_err(db)?;
    let currency: String = row.try_get(2).map_err(db)?;
    let hash_hex: String = row.try_get(4).map_err(db)?;
    let mut hash = [0u8; 32];
    hex_decode(&hash_hex, &mut hash).ok_or_else(|| bad("hash"))?;
    let attempts: i64 = row.try_get(6).map_err(db)?;
    let state: String = row.try_get(7).map_err(db)?;
    let spend_key: Option<String> = row.try_get(8).map_err(db)?;
    let version: i64 = row.try_get(9).map_err(db)?;
    let state = match (state.as_str(), spend_key) {
        ("live", _) => CodeState::Live,
        ("dead", _) => CodeState::Dead,
        ("taken", Some(spend_key)) => CodeState::Taken { spend_key },
        ("spent", Some(spend_key)) => CodeState::Spent { spend_key },
        _ => return Err(bad("state")),
    };
    Ok(CodeRecord {
        key: row.try_get(0).map_err(db)?,
        account: CustomerId::parse(&account.to_string()).map_err(|_| bad("account"))?,
        currency: CurrencyCode::new(&currency)?,
        max_points: row.try_get(3).map_err(db)?,
        hash,
        expires_at: time(row.try_get(5).map_err(db)?),
        attempts: u8::try_from(attempts).map_err(|_| bad("attempts"))?,
        state,
        version: u64::try_from(version).map_err(|_| bad("version"))?,
    })
}

fn hex_decode(text: &str, out: &mut [u8; 32]) -> Option<()> {
    if text.len() != 64 {
        return None;
    }
    for (i, byte) in out.iter_mut().enumerate() {
        *byte = u8::from_str_radix(text.get(2 * i..2 * i + 2)?, 16).ok()?;
    }
    Some(())
}

fn hex_encode(bytes: &[u8; 32]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn account_value(id: CustomerId) -> Result<i64> {
    i64::try_from(id.value()).map_err(|_| Error::Storage(format!("account {id} is out of range")))
}

impl Inner {
    async fn code_current(&self, account: CustomerId) -> Result<Option<CodeRecord>> {
        let sql = format!(
            "SELECT {COLUMNS} FROM dcms_redemption_codes WHERE account = ? ORDER BY seq DESC LIMIT 1"
        );
        let row = self
            .engine
            .query(&sql)
            .bind(account_value(account)?)
            .fetch_optional(&self.write_pool)
            .await
            .map_err(db)?;
        row.as_ref().map(decode).transpose()
    }
}

#[async_trait]
impl CodeStore for SqlStore {
    async fn issue(&self, record: CodeRecord) -> Result<CodeRecord> {
        let engine = self.inner.engine;
        let account = account_value(record.account)?;
        let (state, spend_key) = state_parts(&record.state);
        let expires = nanos(record.expires_at)?;
        let rec = record.clone();
        self.inner
            .write(|c| {
                let rec = rec.clone();
                let spend_key = spend_key.clone();
                Box::pin(async move {
                    let sql = format!("SELECT {COLUMNS} FROM dcms_redemption_codes WHERE issue_key = ?");
                    if let Some(row) = engine.query(&sql).bind(rec.key.clone()).fetch_optional(&mut *c).await? {
                        return Ok(decode(&row)?);
                    }
                    let seq: i64 = engine
                        .query("SELECT COALESCE(MAX(seq), 0) FROM dcms_redemption_codes WHERE account = ?")
                        .bind(account)
                        .fetch_one(&mut *c)
                        .await?
                        .try_get(0)?;
                    engine
                        .query("INSERT INTO dcms_redemption_codes (issue_key, account, seq, currency, max_points, code_hash, expires_at, attempts, state, spend_key, version) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0)")
                        .bind(rec.key.clone())
                        .bind(account)
                        .bind(seq + 1)
                        .bind(rec.currency.as_str().to_string())
                        .bind(rec.max_points)
                        .bind(hex_encode(&rec.hash))
                        .bind(expires)
                        .bind(i64::from(rec.attempts))
                        .bind(state)
                        .bind(spend_key)
                        .execute(&mut *c)
                        .await?;
                    Ok(CodeRecord { version: 0, ..rec })
                })
            })
            .await
    }

    async fn current(&self, account: CustomerId) -> Result<Option<CodeRecord>> {
        self.inner.code_current(account).await
    }

    async fn replace(&self, expected: u64, next: CodeRecord) -> Result<bool> {
        // Only the account's current code may change.
        match self.inner.code_current(next.account).await? {
            Some(cur) if cur.key == next.key && cur.version == expected => {}
            _ => return Ok(false),
        }
        let (state, spend_key) = state_parts(&next.state);
        let expected = i64::try_from(expected)
            .map_err(|_| Error::Storage("code version out of range".into()))?;
        let done = self
            .inner
            .engine
            .query("UPDATE dcms_redemption_codes SET attempts = ?, state = ?, spend_key = ?, version = ? WHERE issue_key = ? AND version = ?")
            .bind(i64::from(next.attempts))
            .bind(state)
            .bind(spend_key)
            .bind(expected + 1)
            .bind(next.key.clone())
            .bind(expected)
            .execute(&self.inner.write_pool)
            .await
            .map_err(db)?;
        Ok(done.rows_affected() == 1)
    }
}
