//! Month close: build, render, store and notify every vendor's statement.
//!
//! Idempotent: after the documents are stored and the vendor notified, a
//! small marker (`statements/<vendor>/<yyyy-mm>.done.json`) records the
//! statement's digest. A re-run that computes the same digest stores nothing
//! and sends nothing. A crash half-way leaves some vendors without a marker;
//! the re-run rewrites their documents at the same keys (so each vendor ends
//! with exactly one statement) and notifies them. A vendor whose month
//! changed after its close (a late reversal) gets its statement re-issued
//! with a new digest, which receivers use to tell a re-issue from a repeat.
//!
//! Notification is at least once: a crash after the notification and before
//! the marker repeats it on the re-run, with the same digest, so a receiver
//! drops it as a duplicate.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::csv::CsvWriter;
use super::json::JsonWriter;
use super::{for_each_line_page, pdf, vendor_statement, Statement};
use crate::calendar::Month;
use crate::error::{Error, Result};
use crate::ids::VendorId;
use crate::ledger::Ledger;
use crate::notify::{Notifier, StatementReady};
use crate::object::{ObjectStore, PutOptions, Sse};

/// What to close.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CloseOptions {
    /// The month.
    pub month: Month,
    /// Only these vendors (None = every vendor).
    pub vendors: Option<Vec<VendorId>>,
    /// Encryption of the stored documents.
    pub sse: Sse,
}

/// What happened to one vendor's statement.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct VendorClose {
    /// The vendor.
    pub vendor: VendorId,
    /// `issued`, `reissued` or `unchanged`.
    pub outcome: &'static str,
    /// Keys of the stored documents.
    pub objects: Vec<String>,
    /// Lines in the statement.
    pub lines: u64,
    /// Digest of the documents.
    pub digest: String,
}

/// The whole run.
#[derive(Debug, Default)]
pub struct CloseReport {
    /// Vendors done, in id order.
    pub closed: Vec<VendorClose>,
    /// Vendors that failed (the others were still closed); re-run to retry.
    pub failed: Vec<(VendorId, Error)>,
}

#[derive(Debug, Serialize, Deserialize)]
struct Marker {
    digest: String,
    objects: Vec<String>,
}

/// The rendered documents of one statement.
pub(super) struct Rendered {
    pub csv: Vec<u8>,
    pub json: Vec<u8>,
    pub pdf: Vec<u8>,
    pub lines: u64,
}

/// Renders all three documents, reading the journal once.
pub(super) async fn render_all(ledger: &Ledger, st: &Statement) -> Result<Rendered> {
    let mut csv = CsvWriter::start(st);
    let mut json = JsonWriter::start(st)?;
    let mut lines = 0u64;
    for_each_line_page(ledger.store().as_ref(), st, |page| {
        lines += page.len() as u64;
        csv.lines(page);
        json.lines(page)
    })
    .await?;
    Ok(Rendered {
        csv: csv.finish(st),
        json: json.finish(),
        pdf: pdf::render(st),
        lines,
    })
}

fn digest(r: &Rendered) -> String {
    let mut h = Sha256::new();
    for part in [&r.csv, &r.json, &r.pdf] {
        h.update((part.len() as u64).to_be_bytes());
        h.update(part);
    }
    hex::encode(h.finalize())
}

async fn read_marker(objects: &dyn ObjectStore, key: &str) -> Result<Option<Marker>> {
    match objects.get(key).await {
        Ok(bytes) => Ok(serde_json::from_slice(&bytes).ok()),
        Err(Error::ObjectNotFound(_)) => Ok(None),
        Err(e) => Err(e),
    }
}

async fn close_vendor(
    ledger: &Ledger,
    objects: &dyn ObjectStore,
    notifier: &dyn Notifier,
    vendor: &VendorId,
    opts: &CloseOptions,
) -> Result<VendorClose> {
    let st = vendor_statement(ledger, vendor, opts.month).await?;
    let rendered = render_all(ledger, &st).await?;
    let digest = digest(&rendered);
    let keys = vec![
        st.object_key("csv"),
        st.object_key("json"),
        st.object_key("pdf"),
    ];
    let marker_key = st.object_key("done.json");
    let previous = read_marker(objects, &marker_key).await?;
    let outcome = match &previous {
        Some(m) if m.digest == digest => "unchanged",
        Some(_) => "reissued",
        None => "issued",
    };
    if outcome != "unchanged" {
        let types = [
            "text/csv; charset=utf-8",
            "application/json",
            "application/pdf",
        ];
        let bodies = [rendered.csv, rendered.json, rendered.pdf];
        for ((key, body), content_type) in keys.iter().zip(bodies).zip(types) {
            let options = PutOptions {
                content_type: content_type.to_string(),
                sse: opts.sse.clone(),
            };
            objects.put(key, body, &options).await?;
        }
        notifier
            .statement_ready(&StatementReady {
                vendor: vendor.clone(),
                period: opts.month.to_string(),
                objects: keys.clone(),
                digest: digest.clone(),
            })
            .await?;
        let marker = serde_json::to_vec(&Marker {
            digest: digest.clone(),
            objects: keys.clone(),
        })
        .map_err(|e| Error::Storage(format!("json encoding: {e}")))?;
        objects
            .put(
                &marker_key,
                marker,
                &PutOptions {
                    content_type: "application/json".into(),
                    sse: opts.sse.clone(),
                },
            )
            .await?;
    }
    Ok(VendorClose {
        vendor: vendor.clone(),
        outcome,
        objects: keys,
        lines: rendered.lines,
        digest,
    })
}

/// Closes a month for every vendor (or the chosen ones), calling `progress`
/// after each vendor. One vendor's failure does not stop the others.
pub async fn close_month(
    ledger: &Ledger,
    objects: &dyn ObjectStore,
    notifier: &dyn Notifier,
    opts: &CloseOptions,
    progress: &mut (dyn FnMut(usize, usize, &VendorClose) + Send),
) -> Result<CloseReport> {
    let vendors: Vec<VendorId> = match &opts.vendors {
        Some(list) => {
            let mut list = list.clone();
            list.sort();
            list.dedup();
            list
        }
        None => ledger.vendors().await?.into_iter().map(|v| v.id).collect(),
    };
    let mut report = CloseReport::default();
    let total = vendors.len();
    for (i, vendor) in vendors.iter().enumerate() {
        match close_vendor(ledger, objects, notifier, vendor, opts).await {
            Ok(done) => {
                progress(i + 1, total, &done);
                report.closed.push(done);
            }
            Err(e) => report.failed.push((vendor.clone(), e)),
        }
    }
    Ok(report)
}
