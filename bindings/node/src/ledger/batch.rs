//! Batch change credits: many requests in one call, so a busy till pays
//! the JavaScript-to-Rust crossing (and one Promise) per batch, not per sale.

use dcms_core::PosRef;
use napi::Env;
use napi_derive::napi;
use serde_json::{json, Map};

use super::Ledger;
use crate::convert::{account, amount, vendor, Amount};
use crate::errors::envelope;
use crate::run::{spawn, Js};
use crate::types::ChangeCredited;

/// One change credit for `Ledger.creditChangeMany`: the arguments of
/// `creditChange` as an object.
#[napi(object, object_to_js = false)]
pub struct CreditChangeRequest {
    /// The idempotency key.
    pub key: String,
    /// The vendor whose till rang the sale.
    pub vendor: String,
    /// The customer's account id.
    pub account: String,
    /// The sale total, a decimal string.
    pub total: Amount,
    /// Cash handed over, a decimal string.
    pub tendered: Amount,
    /// The store, as the POS reports it.
    pub store_id: Option<String>,
    /// The till.
    pub terminal_id: Option<String>,
    /// The POS's receipt number.
    pub receipt_no: Option<String>,
}

impl CreditChangeRequest {
    /// The core request (checks ids and amounts).
    fn into_core(self) -> napi::Result<dcms_core::CreditChange> {
        Ok(dcms_core::CreditChange {
            key: self.key,
            vendor: vendor(self.vendor)?,
            account: account(&self.account)?,
            total: amount(self.total)?,
            tendered: amount(self.tendered)?,
            pos: PosRef {
                store_id: self.store_id,
                terminal_id: self.terminal_id,
                receipt_no: self.receipt_no,
            },
        })
    }
}

#[napi]
impl Ledger {
    /// Credits many sales in one call, in order. Stops at the first refused
    /// request and rejects with its error, `index` set to its position; the
    /// requests before it are written, so retrying the whole batch (same
    /// keys) replays them. The batch runs on the Tokio runtime, so a large
    /// one never holds the event loop.
    #[napi(ts_return_type = "Promise<Array<ChangeCredited>>")]
    pub fn credit_change_many<'env>(
        &self,
        env: &'env Env,
        requests: Vec<CreditChangeRequest>,
    ) -> napi::Result<Js<'env, Vec<ChangeCredited>>> {
        let ledger = self.inner.clone();
        let requests = requests
            .into_iter()
            .map(CreditChangeRequest::into_core)
            .collect::<napi::Result<Vec<_>>>()?;
        spawn(env, async move {
            let mut done = Vec::with_capacity(requests.len());
            for (i, req) in requests.iter().enumerate() {
                match ledger.credit_change(req).await {
                    Ok(c) => done.push(ChangeCredited::from(c)),
                    Err(e) => {
                        let mut extra = Map::new();
                        extra.insert("index".into(), json!(i));
                        return Err(napi::Error::new(
                            napi::Status::GenericFailure,
                            envelope(&e, extra),
                        ));
                    }
                }
            }
            Ok(done)
        })
    }
}
