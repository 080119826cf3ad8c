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

use std::collections::VecDeque;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::build::Frame;
use super::pdf::{self, PdfOptions};
use super::render::render_frame;
use super::Statement;
use crate::calendar::Month;
use crate::error::{Error, Result};
use crate::ids::VendorId;
use crate::ledger::Ledger;
use crate::notify::{Notifier, StatementReady};
use crate::object::{ObjectStore, PutOptions, Sse};
use crate::vendor::Vendor;

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
    /// SHA-256 of the CSV and JSON documents, printed on the PDF.
    pub digest: String,
}

impl Rendered {
    /// Digests the CSV and JSON documents and renders the PDF, which shows
    /// that digest. The PDF is not part of the digest (it cannot contain
    /// its own): it is made from the same statement, so the data documents
    /// decide whether a month changed.
    pub(super) fn new(
        st: &Statement,
        csv: Vec<u8>,
        json: Vec<u8>,
        lines: u64,
        per_minor: i64,
        options: &PdfOptions,
    ) -> Result<Rendered> {
        let digest = digest(&csv, &json);
        let pdf = pdf::vendor_pdf(st, &digest, per_minor, options)?;
        Ok(Rendered {
            csv,
            json,
            pdf,
            lines,
            digest,
        })
    }
}

/// Renders all three documents from a statement built from the store's
/// aggregates and its lines read page by page: the reference the one-pass
/// close rendering is compared with in the tests.
#[cfg(test)]
pub(super) async fn render_all(ledger: &Ledger, st: &Statement) -> Result<Rendered> {
    use super::csv::CsvWriter;
    use super::for_each_line_page;
    use super::json::JsonWriter;
    let mut csv = CsvWriter::start(st);
    let mut json = JsonWriter::start(st)?;
    let mut lines = 0u64;
    for_each_line_page(ledger.store().as_ref(), st, |page| {
        lines += page.len() as u64;
        csv.lines(page);
        json.lines(page)
    })
    .await?;
    let per_minor = ledger.config().points_per_minor_in(st.currency);
    Rendered::new(
        st,
        csv.finish(st),
        json.finish(),
        lines,
        per_minor,
        &PdfOptions::default(),
    )
}

fn digest(csv: &[u8], json: &[u8]) -> String {
    let mut h = Sha256::new();
    for part in [csv, json] {
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

/// Builds, renders and digests one vendor's statement: the reads and the
/// CPU work of a close, run for several vendors at once.
async fn prepare(
    ledger: &Ledger,
    vendor: VendorRef<'_>,
    month: Month,
    pdf: &PdfOptions,
) -> Result<(Statement, Rendered, String)> {
    let frame = match vendor {
        VendorRef::Known(v) => Frame::vendor(ledger, v, month)?,
        VendorRef::Id(id) => Frame::vendor(ledger, &ledger.vendor(id).await?, month)?,
    };
    let (st, rendered) = render_frame(ledger, frame, pdf).await?;
    let digest = rendered.digest.clone();
    Ok((st, rendered, digest))
}

/// Stores one vendor's documents and marker and notifies it, unless the
/// marker already has the same digest. Vendors are committed one at a time,
/// in id order.
async fn commit(
    objects: &dyn ObjectStore,
    notifier: &dyn Notifier,
    vendor: &VendorId,
    opts: &CloseOptions,
    (st, rendered, digest): (Statement, Rendered, String),
) -> Result<VendorClose> {
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

/// A vendor to close: as listed by the store, or by id (looked up).
#[derive(Clone, Copy)]
enum VendorRef<'a> {
    Known(&'a Vendor),
    Id(&'a VendorId),
}

/// How many vendors' statements are read and rendered at once. Their
/// documents are stored, and their vendors notified, one at a time in id
/// order all the same; this overlaps one vendor's reads (in the database,
/// or on its own connection thread on SQLite) with another's rendering.
/// Each in flight holds a read connection and its documents. 8 rather
/// than 4 was 3-7% faster on SQLite in the month-close benchmark
/// (benches/README.md), the same on PostgreSQL.
pub const CLOSE_IN_FLIGHT: usize = 8;

type Prepared = Result<(Statement, Rendered, String)>;

/// Closes a month for every vendor (or the chosen ones), calling `progress`
/// after each vendor. One vendor's failure does not stop the others. The
/// PDFs are set in the bundled font ([`close_month_with_pdf`] chooses).
pub async fn close_month(
    ledger: &Ledger,
    objects: &dyn ObjectStore,
    notifier: &dyn Notifier,
    opts: &CloseOptions,
    progress: &mut (dyn FnMut(usize, usize, &VendorClose) + Send),
) -> Result<CloseReport> {
    let pdf = PdfOptions::default();
    close_month_with_pdf(ledger, objects, notifier, opts, &pdf, progress).await
}

/// [`close_month`] with the PDF statements made as `pdf` says (for example
/// in a font that has the vendors' scripts).
///
/// Up to [`CLOSE_IN_FLIGHT`] statements are read and rendered at a time,
/// each in one pass over its lines (the month's totals are counted from the
/// lines, so the month is read once); storing, notifying and `progress`
/// follow vendor id order.
pub async fn close_month_with_pdf(
    ledger: &Ledger,
    objects: &dyn ObjectStore,
    notifier: &dyn Notifier,
    opts: &CloseOptions,
    pdf: &PdfOptions,
    progress: &mut (dyn FnMut(usize, usize, &VendorClose) + Send),
) -> Result<CloseReport> {
    let listed;
    let chosen;
    let vendors: Vec<VendorRef<'_>> = match &opts.vendors {
        Some(list) => {
            let mut list = list.clone();
            list.sort();
            list.dedup();
            chosen = list;
            chosen.iter().map(VendorRef::Id).collect()
        }
        None => {
            listed = ledger.vendors().await?;
            listed.iter().map(VendorRef::Known).collect()
        }
    };
    let month = opts.month;
    let mut report = CloseReport::default();
    let total = vendors.len();
    let mut pending = InFlight::default();
    let mut next = vendors.iter();
    for (i, vendor) in vendors.iter().enumerate() {
        while pending.len() < CLOSE_IN_FLIGHT {
            match next.next() {
                Some(v) => pending.push(Box::pin(prepare(ledger, *v, month, pdf))),
                None => break,
            }
        }
        let id = match vendor {
            VendorRef::Known(v) => &v.id,
            VendorRef::Id(id) => *id,
        };
        let outcome = match pending.next().await {
            Some(Ok(prepared)) => {
                // Later vendors keep reading and rendering while this one
                // is stored.
                pending
                    .alongside(commit(objects, notifier, id, opts, prepared))
                    .await
            }
            Some(Err(e)) => Err(e),
            None => Err(Error::Storage("month close lost a vendor".into())),
        };
        match outcome {
            Ok(done) => {
                progress(i + 1, total, &done);
                report.closed.push(done);
            }
            Err(e) => report.failed.push((id.clone(), e)),
        }
    }
    Ok(report)
}

/// Futures run together and finished in the order they were pushed: a
/// minimal ordered buffer (dcms-core has no executor or futures crate).
/// Every future in it is polled whenever the task wakes; with a handful in
/// flight that costs nothing next to what each does.
#[derive(Default)]
struct InFlight<'a> {
    slots: VecDeque<Slot<'a>>,
}

enum Slot<'a> {
    Running(Pin<Box<dyn Future<Output = Prepared> + Send + 'a>>),
    // Boxed: a finished statement is much larger than a running future.
    Done(Box<Prepared>),
}

impl<'a> InFlight<'a> {
    fn len(&self) -> usize {
        self.slots.len()
    }

    fn push(&mut self, f: Pin<Box<dyn Future<Output = Prepared> + Send + 'a>>) {
        self.slots.push_back(Slot::Running(f));
    }

    /// Polls every running future once, keeping the outputs.
    fn poll_all(&mut self, cx: &mut Context<'_>) {
        for slot in &mut self.slots {
            if let Slot::Running(f) = slot {
                if let Poll::Ready(out) = f.as_mut().poll(cx) {
                    *slot = Slot::Done(Box::new(out));
                }
            }
        }
    }

    /// The output of the oldest future, driving the others meanwhile.
    async fn next(&mut self) -> Option<Prepared> {
        std::future::poll_fn(|cx| {
            self.poll_all(cx);
            match self.slots.front() {
                None => Poll::Ready(None),
                Some(Slot::Running(_)) => Poll::Pending,
                Some(Slot::Done(_)) => match self.slots.pop_front() {
                    Some(Slot::Done(out)) => Poll::Ready(Some(*out)),
                    _ => Poll::Ready(None),
                },
            }
        })
        .await
    }

    /// Runs `main` to completion while driving the futures in flight.
    async fn alongside<T>(&mut self, main: impl Future<Output = T>) -> T {
        let mut main = std::pin::pin!(main);
        std::future::poll_fn(|cx| {
            self.poll_all(cx);
            main.as_mut().poll(cx)
        })
        .await
    }
}
