//! The report: seeding rates, the phase table with ratios to the plain
//! GROUP BY, the correctness checks, and the verdict against the target
//! (within 2x of the plain aggregate), as Markdown.

use std::fmt::Write;
use std::path::PathBuf;

use crate::args::Options;
use crate::db::Engine;
use crate::phase::{Phase, PhaseResult};
use crate::seed::SeedReport;
use crate::totals::Comparison;

/// The target of issue 5: within this factor of the plain aggregate.
const TARGET: f64 = 2.0;

/// One phase as measured (median run).
#[derive(Debug)]
pub struct Measured {
    pub phase: Phase,
    /// A label for a second pass over the same phases ("" for the first).
    pub tag: String,
    pub result: PhaseResult,
    pub all_secs: Vec<f64>,
    pub dir: PathBuf,
}

/// A correctness check.
#[derive(Debug)]
pub struct Check {
    pub what: String,
    pub comparison: Comparison,
}

/// Everything measured on one engine.
#[derive(Debug)]
pub struct EngineReport {
    pub engine: Engine,
    pub seed: Option<SeedReport>,
    pub maintenance: Vec<(String, f64)>,
    pub rows: Vec<Measured>,
    pub checks: Vec<Check>,
    /// 1-minute load average when the measured phases began and ended.
    pub load: (f64, f64),
}

impl EngineReport {
    fn get(&self, phase: Phase, tag: &str) -> Option<&Measured> {
        self.rows.iter().find(|m| m.phase == phase && m.tag == tag)
    }

    fn secs(&self, phase: Phase, tag: &str) -> Option<f64> {
        self.get(phase, tag).map(|m| m.result.secs)
    }
}

fn label(phase: Phase, o: &Options) -> String {
    match phase {
        Phase::BaselineLedger => "baseline: open store + ledger, list vendors".into(),
        Phase::BaselineSql => "baseline: one sqlx connection, read vendors".into(),
        Phase::PlainGroupBy => "(c) plain SQL GROUP BY (vendor, local day, kind) + openings".into(),
        Phase::Summaries => {
            "(b) `vendor_statement` for every vendor (aggregates only: `activity`)".into()
        }
        Phase::ProposedActivity => "(e) `activity`'s SQL in raw sqlx: 1 query per vendor".into(),
        Phase::PlainLines => "(d) plain SQL read of every line (1 join per vendor)".into(),
        Phase::JournalPages => "`LedgerStore::journal`: every page of every vendor's month".into(),
        Phase::JournalSqlToday => {
            "`journal`'s SQL in raw sqlx (3 statements per page, no JSON parse)".into()
        }
        Phase::JournalSqlProposed => {
            "one-statement `journal` page prototype in raw sqlx (no JSON parse)".into()
        }
        Phase::StatementLines => {
            "`vendor_statement` + its lines (`for_each_line_page` on `account_lines`), not rendered"
                .into()
        }
        Phase::Close => format!(
            "(a) `close_month` (CSV+JSON+PDF) into {}, quiet `LogNotifier`",
            match o.objects {
                crate::args::Objects::Memory => "`MemoryObjectStore`",
                crate::args::Objects::Local => "`LocalDirStore` (temp dir)",
            }
        ),
        Phase::CloseSequential => format!(
            "(a) `close_month` one vendor at a time (one call per vendor) into {}",
            match o.objects {
                crate::args::Objects::Memory => "`MemoryObjectStore`",
                crate::args::Objects::Local => "`LocalDirStore` (temp dir)",
            }
        ),
    }
}

/// The phase's CPU: its process, plus the PostgreSQL backends serving it.
fn total_cpu(r: &PhaseResult) -> f64 {
    r.cpu_secs + r.server_cpu_secs.unwrap_or(0.0)
}

fn mib(kib: u64) -> f64 {
    kib as f64 / 1024.0
}

fn thousands(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

fn seed_table(out: &mut String, s: &SeedReport) {
    let _ = writeln!(
        out,
        "Seeding through the `Ledger` API (default `StoreOptions`, group commit on):\n"
    );
    let _ = writeln!(
        out,
        "| step | count | seconds | per second |\n|---|---:|---:|---:|"
    );
    let mut row = |what: &str, n: u64, secs: f64| {
        let _ = writeln!(
            out,
            "| {what} | {} | {secs:.1} | {:.0} |",
            thousands(n),
            n as f64 / secs
        );
    };
    row("vendors (`create_vendor`)", s.vendors as u64, s.vendor_secs);
    row(
        "customers (`open_account`)",
        s.customers as u64,
        s.customer_secs,
    );
    for seg in &s.segments {
        row(
            &format!(
                "transactions, {} ({} credits, {} redemptions, {} reversals)",
                seg.label,
                thousands(seg.counts.credits),
                thousands(seg.counts.redemptions),
                thousands(seg.counts.reversals)
            ),
            seg.counts.appended(),
            seg.secs,
        );
    }
    row("all transactions", s.appended(), s.append_secs());
    let failed: u64 = s.segments.iter().map(|x| x.counts.failed).sum();
    let _ = writeln!(out, "\nFailed operations while seeding: {failed}.");
    if let Some((secs, ok)) = s.verify {
        let _ = writeln!(
            out,
            "`Ledger::verify` after seeding: {} in {secs:.1} s.",
            if ok { "sound" } else { "PROBLEMS" }
        );
    }
}

fn phase_table(out: &mut String, r: &EngineReport, o: &Options) {
    let base_ledger = r
        .get(Phase::BaselineLedger, "")
        .map(|m| m.result.anon_peak_kib)
        .unwrap_or(0);
    let base_sql = r
        .get(Phase::BaselineSql, "")
        .map(|m| m.result.anon_peak_kib)
        .unwrap_or(0);
    let _ = writeln!(
        out,
        "| phase | seconds | × (c) | CPU s | CPU × (c) | peak RSS MiB | peak anon MiB | anon over baseline MiB | output |\n\
         |---|---:|---:|---:|---:|---:|---:|---:|---|"
    );
    for m in &r.rows {
        let res = &m.result;
        let base = match m.phase {
            Phase::BaselineLedger
            | Phase::Summaries
            | Phase::JournalPages
            | Phase::StatementLines
            | Phase::CloseSequential
            | Phase::Close => base_ledger,
            _ => base_sql,
        };
        let plain = r.get(Phase::PlainGroupBy, &m.tag).map(|p| &p.result);
        let ratios = match (m.phase, plain) {
            (Phase::BaselineLedger | Phase::BaselineSql, _) | (_, None) => {
                (String::new(), String::new())
            }
            (_, Some(p)) => (
                format!("{:.1}×", res.secs / p.secs),
                format!("{:.1}×", total_cpu(res) / total_cpu(p).max(0.01)),
            ),
        };
        let mut secs = format!("{:.2}", res.secs);
        if let Some(q) = res.query_secs {
            let _ = write!(secs, " (queries {q:.2})");
        }
        if m.all_secs.len() > 1 {
            let runs: Vec<String> = m.all_secs.iter().map(|s| format!("{s:.2}")).collect();
            let _ = write!(secs, " [runs {}]", runs.join(", "));
        }
        let what = if m.tag.is_empty() {
            label(m.phase, o)
        } else {
            format!("{} [{}]", label(m.phase, o), m.tag)
        };
        let output = match m.phase {
            Phase::BaselineLedger | Phase::BaselineSql => String::new(),
            _ => format!("{} {}", thousands(res.items), res.note),
        };
        let over = if matches!(m.phase, Phase::BaselineLedger | Phase::BaselineSql) {
            String::new()
        } else {
            format!("{:.0}", mib(res.anon_peak_kib.saturating_sub(base)))
        };
        let _ = writeln!(
            out,
            "| {what} | {secs} | {} | {} | {} | {:.0} | {:.0} | {over} | {output} |",
            ratios.0,
            match res.server_cpu_secs {
                Some(server) => format!("{:.2} + {server:.2}", res.cpu_secs),
                None => format!("{:.2}", res.cpu_secs),
            },
            ratios.1,
            mib(res.hwm_kib),
            mib(res.anon_peak_kib)
        );
    }
}

fn verdict(out: &mut String, r: &EngineReport, tag: &str) {
    let (Some(plain), Some(plain_cpu)) = (
        r.secs(Phase::PlainGroupBy, tag),
        r.get(Phase::PlainGroupBy, tag)
            .map(|m| total_cpu(&m.result)),
    ) else {
        return;
    };
    let when = if tag.is_empty() {
        "this run".to_string()
    } else {
        format!("[{tag}]")
    };
    let meets = |x: f64| {
        if x <= TARGET {
            "**meets**"
        } else {
            "**misses**"
        }
    };
    let mut line = |what: &str, phase: Phase| {
        if let Some(m) = r.get(phase, tag) {
            let x = m.result.secs / plain;
            let cpu = total_cpu(&m.result) / plain_cpu.max(0.01);
            let _ = writeln!(
                out,
                "- {when}: {what} is {x:.1}× the plain GROUP BY by wall time ({} the 2× \
                 target), {cpu:.1}× by CPU.",
                meets(x)
            );
        }
    };
    line("(b) the statement summaries", Phase::Summaries);
    line("(a) `close_month`", Phase::Close);
    line(
        "(a) `close_month` one vendor at a time",
        Phase::CloseSequential,
    );
    if let (Some(close), Some(lines)) = (r.secs(Phase::Close, tag), r.secs(Phase::PlainLines, tag))
    {
        let _ = writeln!(
            out,
            "- {when}: (a) `close_month` is {:.1}× (d), the plain read of the lines it renders.",
            close / lines
        );
    }
}

/// The whole report as Markdown.
pub fn markdown(o: &Options, reports: &[EngineReport]) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "\nMachine: {}. Command: `cargo run --release -p dcms-bench-close -- {}{}`.\n",
        crate::machine::describe(),
        match &o.existing {
            // The seeded size is the database's, not the defaults of the flags.
            Some(_) => "--existing URL".to_string(),
            None => format!(
                "--engine {} --vendors {} --rows {}",
                if o.engines.len() > 1 {
                    "all"
                } else {
                    o.engines.first().map(|e| e.name()).unwrap_or("all")
                },
                o.vendors,
                o.rows
            ),
        },
        if o.repeat > 1 {
            format!(" --repeat {}", o.repeat)
        } else {
            String::new()
        },
    );
    for r in reports {
        let _ = writeln!(
            out,
            "### {} — {} vendors, month {}\n",
            r.engine.name(),
            r.rows
                .iter()
                .map(|m| m.result.vendors)
                .max()
                .unwrap_or(o.vendors),
            o.month
        );
        if let Some(s) = &r.seed {
            seed_table(&mut out, s);
        }
        for (what, secs) in &r.maintenance {
            let _ = writeln!(out, "\nBefore measuring: {what} ({secs:.1} s).");
        }
        let _ = writeln!(
            out,
            "\nMeasured phases: {} round(s), every phase once per round, each run in its own \
             process; the median run is shown. 1-minute load average {:.1} at the first phase, \
             {:.1} at the last.\n",
            o.repeat, r.load.0, r.load.1
        );
        phase_table(&mut out, r, o);
        let _ = writeln!(out, "\nChecks (every vendor, not a sample):\n");
        for c in &r.checks {
            let _ = writeln!(out, "- {}: {}", c.what, c.comparison.describe());
        }
        let _ = writeln!(out, "\nAgainst the target:\n");
        verdict(&mut out, r, "");
        let _ = writeln!(out);
    }
    out
}
