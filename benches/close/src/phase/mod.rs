//! The measured phases. Each runs alone in a child process: it opens its
//! own connections, does its work between two clock readings, and reports
//! seconds and the process's peak RSS (`VmHWM`) as one JSON line.

mod journal_sql;
mod ledger;
mod sql;
mod sql_vendors;

use std::time::Instant;

use serde::{Deserialize, Serialize};

use crate::args::PhaseArgs;
use crate::{procfs, Res};

/// A phase of the benchmark.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    /// Opens the store and the ledger and lists the vendors: the fixed cost
    /// the ledger phases' memory is measured against.
    BaselineLedger,
    /// Opens a plain SQL connection and reads the vendors.
    BaselineSql,
    /// (a) `close_month` for every vendor.
    Close,
    /// (b) `vendor_statement` for every vendor (aggregates only: one
    /// `LedgerStore::activity` call each).
    Summaries,
    /// `LedgerStore::journal` pages of every vendor's month, nothing else:
    /// the store's share of reading the lines.
    JournalPages,
    /// `journal`'s SQL for every page, in raw SQL (no JSON parse).
    JournalSqlToday,
    /// A one-statement `journal` page prototype, in raw SQL.
    JournalSqlProposed,
    /// `vendor_statement` plus every line of the statement
    /// (`for_each_line_page`, on `LedgerStore::account_lines`), not
    /// rendered: splits (a) into reads and rendering.
    StatementLines,
    /// (c) the plain SQL GROUP BY of the same totals.
    PlainGroupBy,
    /// (d) plain SQL read of every statement line (one join per vendor).
    PlainLines,
    /// (e) the one-statement `activity` query in raw SQL (what the store
    /// now runs): one GROUP BY per vendor.
    ProposedActivity,
    /// (a) again, one vendor at a time: `close_month` called per vendor,
    /// so no two statements are read or rendered at once.
    CloseSequential,
}

const NAMES: [(Phase, &str); 12] = [
    (Phase::CloseSequential, "close_sequential"),
    (Phase::BaselineLedger, "baseline_ledger"),
    (Phase::BaselineSql, "baseline_sql"),
    (Phase::Close, "close"),
    (Phase::Summaries, "summaries"),
    (Phase::JournalPages, "journal_pages"),
    (Phase::JournalSqlToday, "journal_sql_today"),
    (Phase::JournalSqlProposed, "journal_sql_proposed"),
    (Phase::StatementLines, "statement_lines"),
    (Phase::PlainGroupBy, "plain_group_by"),
    (Phase::PlainLines, "plain_lines"),
    (Phase::ProposedActivity, "proposed_activity"),
];

impl Phase {
    pub fn name(self) -> &'static str {
        NAMES
            .iter()
            .find(|(p, _)| *p == self)
            .map(|(_, n)| *n)
            .unwrap_or("?")
    }

    pub fn parse(s: &str) -> Result<Self, String> {
        NAMES
            .iter()
            .find(|(_, n)| *n == s)
            .map(|(p, _)| *p)
            .ok_or_else(|| format!("unknown phase {s:?}"))
    }
}

/// What a phase did, as the child prints it.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct PhaseResult {
    pub phase: String,
    /// Seconds of the measured work (process start and connecting excluded).
    pub secs: f64,
    /// Seconds of the main query alone, where the phase has one.
    pub query_secs: Option<f64>,
    /// Peak resident set size of the child process, KiB (mapped file pages
    /// included).
    pub hwm_kib: u64,
    /// Peak anonymous memory of the child process (`RssAnon`, sampled), KiB.
    #[serde(default)]
    pub anon_peak_kib: u64,
    /// CPU seconds of the child process, start to end (for PostgreSQL the
    /// client side only).
    pub cpu_secs: f64,
    /// PostgreSQL: CPU seconds of the server backends the phase used.
    pub server_cpu_secs: Option<f64>,
    /// Vendors covered.
    pub vendors: usize,
    /// Rows, lines or statements the phase produced.
    pub items: u64,
    /// Anything else worth a line in the report.
    pub note: String,
}

/// The work of a phase: what it reports apart from time and memory.
#[derive(Debug, Default)]
pub struct Work {
    /// PostgreSQL: CPU seconds of the backends serving the phase, read
    /// before its connections close.
    pub server_cpu: Option<f64>,
    pub vendors: usize,
    pub items: u64,
    pub query_secs: Option<f64>,
    pub note: String,
}

/// Runs one phase in this process.
pub async fn run(p: &PhaseArgs) -> Res<PhaseResult> {
    let url = std::env::var(crate::child::URL_VAR)
        .map_err(|_| format!("{} is not set", crate::child::URL_VAR))?;
    let anon = procfs::AnonPeak::start();
    let (secs, work) = match p.phase {
        Phase::BaselineLedger
        | Phase::Close
        | Phase::CloseSequential
        | Phase::Summaries
        | Phase::JournalPages
        | Phase::StatementLines => ledger::run(p, &url).await?,
        _ => sql::run(p, &url).await?,
    };
    Ok(PhaseResult {
        phase: p.phase.name().to_string(),
        secs,
        query_secs: work.query_secs,
        hwm_kib: procfs::peak_rss_kib(),
        anon_peak_kib: anon.finish(),
        cpu_secs: procfs::cpu_secs(),
        server_cpu_secs: work.server_cpu,
        vendors: work.vendors,
        items: work.items,
        note: work.note,
    })
}

/// Seconds since `started`.
pub fn since(started: Instant) -> f64 {
    started.elapsed().as_secs_f64()
}
