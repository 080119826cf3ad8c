//! The program settings `open()` takes in its options object, turned into
//! a core `LedgerConfig`: points per minor unit (one number for every
//! currency, or one per currency), transfer limits per currency, the expiry
//! policy and the program's time zone.

use std::collections::{BTreeMap, HashMap};

use dcms_core::ledger::{ExpiryPolicy, TransferLimits};
use dcms_core::{CurrencyCode, CurrencyRegistry, LedgerConfig};
use napi::bindgen_prelude::{Either, Reference};
use napi_derive::napi;

use crate::clock::ManualClock;
use crate::convert::{millis, points_in, points_opt_in, zone, Points};
use crate::errors::CoreResult;

/// The limits of one currency's transfers, in its points (absent: none).
#[napi(object)]
#[derive(Debug, Clone, Default)]
pub struct TransferLimitsOptions {
    /// Most points one transfer may move.
    pub per_transfer: Option<Points>,
    /// Most points one account may send per day (the program's time zone).
    pub per_day: Option<Points>,
}

/// The settings of `open()`; every one may be left out.
#[napi(object, object_to_js = false)]
#[derive(Default)]
pub struct OpenOptions {
    /// Points per minor unit of change: one number for every currency, or
    /// an object per currency code (`{ JPY: 1, USD: 10 }`; a currency not
    /// listed earns 1).
    #[napi(ts_type = "Points | Record<string, Points>")]
    pub points_per_minor: Option<Either<Points, HashMap<String, Points>>>,
    /// Digits of a customer account id, check digit included (default 6).
    pub account_id_width: Option<u8>,
    /// How long a hold lives when `hold` gives no `ttlMs`, in milliseconds.
    pub hold_ttl_ms: Option<f64>,
    /// The program's IANA time zone (default UTC).
    pub time_zone: Option<String>,
    /// Transfer limits by currency code: `{ USD: { perTransfer: 5000, perDay: 20000 } }`.
    pub transfer_limits: Option<HashMap<String, TransferLimitsOptions>>,
    /// Points expire after this many months without activity (absent: never).
    pub expiry_months: Option<u32>,
    /// Replaces the system clock (tests, simulations).
    pub clock: Option<Reference<ManualClock>>,
    /// SQL stores: the size of the connection pool.
    pub max_connections: Option<u32>,
    /// SQL stores: how long a call waits for a connection before
    /// `StorageUnavailableError`, in milliseconds.
    pub acquire_timeout_ms: Option<f64>,
}

/// A currency code the program's registry knows.
fn known(registry: &CurrencyRegistry, code: &str) -> napi::Result<CurrencyCode> {
    Ok(registry.get(code).js()?.code)
}

/// The rate of each currency, as `LedgerConfig::points_per_minor` holds it.
fn rates(
    registry: &CurrencyRegistry,
    given: Option<Either<Points, HashMap<String, Points>>>,
) -> napi::Result<BTreeMap<CurrencyCode, i64>> {
    match given {
        None => Ok(BTreeMap::new()),
        Some(Either::A(all)) => {
            let rate = points_in(all)?;
            Ok(registry.codes().into_iter().map(|c| (c, rate)).collect())
        }
        Some(Either::B(each)) => each
            .into_iter()
            .map(|(code, rate)| Ok((known(registry, &code)?, points_in(rate)?)))
            .collect(),
    }
}

impl OpenOptions {
    /// The core configuration; the core checks the values themselves when
    /// the ledger opens (rates, limits and months in range).
    pub(crate) fn into_config(self) -> napi::Result<LedgerConfig> {
        let defaults = LedgerConfig::default();
        let registry = &defaults.currencies;
        let mut limits = BTreeMap::new();
        for (code, l) in self.transfer_limits.unwrap_or_default() {
            limits.insert(
                known(registry, &code)?,
                TransferLimits {
                    per_transfer: points_opt_in(l.per_transfer)?,
                    per_day: points_opt_in(l.per_day)?,
                },
            );
        }
        Ok(LedgerConfig {
            points_per_minor: rates(registry, self.points_per_minor)?,
            account_id_width: self.account_id_width.unwrap_or(defaults.account_id_width),
            hold_ttl: match self.hold_ttl_ms {
                Some(ms) => millis(ms, "holdTtlMs")?,
                None => defaults.hold_ttl,
            },
            time_zone: match self.time_zone {
                Some(z) => zone(Some(&z))?,
                None => defaults.time_zone,
            },
            transfer_limits: limits,
            expiry: self
                .expiry_months
                .map(|inactive_months| ExpiryPolicy { inactive_months }),
            ..defaults
        })
    }
}
