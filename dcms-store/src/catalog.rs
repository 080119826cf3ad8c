//! Metadata, vendors, customer accounts and the account-id sequence.

use dcms_core::store::OpenOutcome;
use dcms_core::{AccountRef, CustomerAccount, CustomerId, Error, Result, Vendor, VendorId};
use sqlx::Row;

use crate::codec;
use crate::error::{corrupt, db};
use crate::store::Inner;
use crate::write::Abort;

fn encode_vendor(vendor: &Vendor) -> Result<String> {
    serde_json::to_string(vendor)
        .map_err(|e| Error::Storage(format!("cannot encode vendor {}: {e}", vendor.id)))
}

fn decode_vendor(body: &str) -> Result<Vendor> {
    serde_json::from_str(body).map_err(|e| corrupt("vendor", e))
}

impl Inner {
    pub(crate) async fn meta_get_or_insert(&self, key: &str, value: &str) -> Result<String> {
        let insert =
            self.engine
                .insert_ignore("dcms_meta", "meta_key, meta_value", "meta_key", "(?, ?)");
        self.engine
            .query(&insert)
            .bind(key.to_string())
            .bind(value.to_string())
            .execute(&self.write_pool)
            .await
            .map_err(db)?;
        self.engine
            .query("SELECT meta_value FROM dcms_meta WHERE meta_key = ?")
            .bind(key.to_string())
            .fetch_one(&self.write_pool)
            .await
            .map_err(db)?
            .try_get(0)
            .map_err(db)
    }

    pub(crate) async fn insert_vendor(&self, vendor: &Vendor) -> Result<()> {
        let body = encode_vendor(vendor)?;
        let id = vendor.id.to_string();
        let account = AccountRef::Vendor(vendor.id.clone(), vendor.currency.code).to_string();
        let engine = self.engine;
        let inserted = self
            .write(|c| {
                let (id, body, account) = (id.clone(), body.clone(), account.clone());
                Box::pin(async move {
                    let row = engine
                        .query("SELECT 1 FROM dcms_vendors WHERE id = ?")
                        .bind(id.clone())
                        .fetch_optional(&mut *c)
                        .await?;
                    if row.is_some() {
                        return Ok(false);
                    }
                    engine
                        .query("INSERT INTO dcms_vendors (id, body) VALUES (?, ?)")
                        .bind(id)
                        .bind(body)
                        .execute(&mut *c)
                        .await?;
                    // The vendor's liability account, which postings reference.
                    let insert = engine.insert_ignore("dcms_accounts", "account", "account", "(?)");
                    engine.query(&insert).bind(account).execute(&mut *c).await?;
                    Ok(true)
                })
            })
            .await?;
        if !inserted {
            return Err(Error::DuplicateVendor(vendor.id.clone()));
        }
        self.vendors_seen.lock().insert(vendor.id.clone());
        self.accounts_seen.lock().insert(account);
        Ok(())
    }

    pub(crate) async fn update_vendor(&self, vendor: &Vendor) -> Result<()> {
        let done = self
            .engine
            .query("UPDATE dcms_vendors SET body = ? WHERE id = ?")
            .bind(encode_vendor(vendor)?)
            .bind(vendor.id.to_string())
            .execute(&self.write_pool)
            .await
            .map_err(db)?;
        if done.rows_affected() == 0 {
            return Err(Error::UnknownVendor(vendor.id.clone()));
        }
        Ok(())
    }

    pub(crate) async fn vendor(&self, id: &VendorId) -> Result<Option<Vendor>> {
        let row = self
            .engine
            .query("SELECT body FROM dcms_vendors WHERE id = ?")
            .bind(id.to_string())
            .fetch_optional(&self.read_pool)
            .await
            .map_err(db)?;
        row.map(|r| {
            r.try_get::<String, _>(0)
                .map_err(db)
                .and_then(|b| decode_vendor(&b))
        })
        .transpose()
    }

    pub(crate) async fn vendors(&self) -> Result<Vec<Vendor>> {
        let rows = self
            .engine
            .query("SELECT body FROM dcms_vendors")
            .fetch_all(&self.read_pool)
            .await
            .map_err(db)?;
        let mut vendors = rows
            .iter()
            .map(|r| {
                r.try_get::<String, _>(0)
                    .map_err(db)
                    .and_then(|b| decode_vendor(&b))
            })
            .collect::<Result<Vec<_>>>()?;
        // Byte order of the id, whatever the database's collation.
        vendors.sort_by(|a, b| a.id.cmp(&b.id));
        Ok(vendors)
    }

    pub(crate) async fn next_account_sequence(&self) -> Result<u64> {
        let engine = self.engine;
        let value: i64 = self
            .write(|c| {
                Box::pin(async move {
                    engine
                        .query(
                            "UPDATE dcms_counters SET value = value + 1 WHERE name = 'account_seq'",
                        )
                        .execute(&mut *c)
                        .await?;
                    let row = engine
                        .query("SELECT value FROM dcms_counters WHERE name = 'account_seq'")
                        .fetch_one(&mut *c)
                        .await?;
                    Ok(row.try_get(0)?)
                })
            })
            .await?;
        // The counter holds how many numbers were handed out; the first is 0.
        u64::try_from(value - 1).map_err(|e| corrupt("account sequence", e))
    }

    pub(crate) async fn open_customer(
        &self,
        key: &str,
        account: &CustomerAccount,
    ) -> Result<OpenOutcome> {
        let engine = self.engine;
        let id = codec::customer_key(account.id)?;
        let opened = codec::nanos(account.opened_at)?;
        // The customer's row names the customer without a currency (its
        // accounts per currency are created by their first movement).
        let name = format!("customer:{}", account.id);
        let key = key.to_string();
        let account = account.clone();
        self.write(|c| {
            let (key, name, account) = (key.clone(), name.clone(), account.clone());
            Box::pin(async move {
                let existing = engine
                    .query("SELECT id, opened_at_ns FROM dcms_customers WHERE open_key = ?")
                    .bind(key.clone())
                    .fetch_optional(&mut *c)
                    .await?;
                if let Some(row) = existing {
                    return Ok(OpenOutcome::Replayed(CustomerAccount {
                        id: codec::customer_id(row.try_get(0)?)?,
                        opened_at: codec::time(row.try_get(1)?),
                    }));
                }
                let taken = engine.query("SELECT 1 FROM dcms_customers WHERE id = ?").bind(id).fetch_optional(&mut *c).await?;
                if taken.is_some() {
                    return Ok(OpenOutcome::IdTaken);
                }
                engine.query("INSERT INTO dcms_accounts (account) VALUES (?)").bind(name.clone()).execute(&mut *c).await?;
                engine
                    .query("INSERT INTO dcms_customers (id, account, open_key, opened_at_ns) VALUES (?, ?, ?, ?)")
                    .bind(id)
                    .bind(name)
                    .bind(key)
                    .bind(opened)
                    .execute(&mut *c)
                    .await?;
                Ok::<_, Abort>(OpenOutcome::Opened(account))
            })
        })
        .await
    }

    pub(crate) async fn customer(&self, id: CustomerId) -> Result<Option<CustomerAccount>> {
        let row = self
            .engine
            .query("SELECT opened_at_ns FROM dcms_customers WHERE id = ?")
            .bind(codec::customer_key(id)?)
            .fetch_optional(&self.read_pool)
            .await
            .map_err(db)?;
        row.map(|r| {
            Ok(CustomerAccount {
                id,
                opened_at: codec::time(r.try_get(0).map_err(db)?),
            })
        })
        .transpose()
    }

    pub(crate) async fn customer_count(&self) -> Result<u64> {
        let n: i64 = self
            .engine
            .query("SELECT COUNT(*) FROM dcms_customers")
            .fetch_one(&self.read_pool)
            .await
            .map_err(db)?
            .try_get(0)
            .map_err(db)?;
        u64::try_from(n).map_err(|e| corrupt("customer count", e))
    }
}
