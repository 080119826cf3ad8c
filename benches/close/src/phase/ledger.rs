//! Phases that go through the `Ledger` and the store: what an application
//! runs.

use std::io::Write;
use std::sync::Arc;
use std::time::Instant;

use dcms_core::notify_log::LogNotifier;
use dcms_core::object_local::LocalDirStore;
use dcms_core::statement::{
    close_month, for_each_line_page, vendor_statement, CloseOptions, CloseReport,
};
use dcms_core::store::JournalQuery;
use dcms_core::{AccountRef, DynObjectStore, Ledger, LedgerConfig, MemoryObjectStore, Sse};

use super::{since, Phase, Work};
use crate::args::{Objects, PhaseArgs};
use crate::db::Engine;
use crate::totals::{self, Writer};
use crate::Res;

/// Opens the ledger as an application would (default store options), then
/// runs the phase; returns the seconds of the work after opening.
pub async fn run(p: &PhaseArgs, url: &str) -> Res<(f64, Work)> {
    let store = dcms_store::open(url).await?;
    let ledger = Ledger::open(store, LedgerConfig::default()).await?;
    let started = Instant::now();
    let work = match p.phase {
        Phase::BaselineLedger => Work {
            vendors: ledger.vendors().await?.len(),
            ..Work::default()
        },
        Phase::Summaries => summaries(&ledger, p).await?,
        Phase::JournalPages => journal_pages(&ledger, p).await?,
        Phase::StatementLines => statement_lines(&ledger, p).await?,
        Phase::Close => close(&ledger, p, started, false).await?,
        Phase::CloseSequential => close(&ledger, p, started, true).await?,
        other => return Err(format!("{} is not a ledger phase", other.name()).into()),
    };
    let secs = work.query_secs.unwrap_or_else(|| since(started));
    let server_cpu = match p.engine {
        Engine::Postgres => crate::procfs::postgres_backends_cpu(url).await?,
        Engine::Sqlite => None,
    };
    Ok((
        secs,
        Work {
            query_secs: None,
            server_cpu,
            ..work
        },
    ))
}

/// (b) Every vendor's statement summary: `LedgerStore::activity` and the
/// arithmetic around it, no journal lines.
async fn summaries(ledger: &Ledger, p: &PhaseArgs) -> Res<Work> {
    let mut out = Writer::create(&p.out, totals::TOTALS_FILE)?;
    let vendors = ledger.vendors().await?;
    let mut days = 0u64;
    for v in &vendors {
        let st = vendor_statement(ledger, &v.id, p.month).await?;
        days += st.days.len() as u64;
        out.statement(&st)?;
    }
    out.finish()?;
    Ok(Work {
        vendors: vendors.len(),
        items: days,
        note: "vendor-days with movements".into(),
        ..Work::default()
    })
}

/// Every vendor's month read with `LedgerStore::journal`, page by page, as
/// the statement reads it (`JournalQuery::account_range`).
async fn journal_pages(ledger: &Ledger, p: &PhaseArgs) -> Res<Work> {
    let mut out = std::io::BufWriter::new(std::fs::File::create(p.out.join(totals::LINES_FILE))?);
    let vendors = ledger.vendors().await?;
    let (mut total, mut pages) = (0u64, 0u64);
    for v in &vendors {
        let (from, to) = p.month.bounds(v.time_zone)?;
        let account = AccountRef::Vendor(v.id.clone(), v.currency.code);
        let mut query = JournalQuery::account_range(&account, from, to);
        let mut n = 0u64;
        loop {
            let page = ledger.store().journal(&query).await?;
            pages += 1;
            n += page.items.len() as u64;
            match page.next {
                Some(next) => query.after = Some(next),
                None => break,
            }
        }
        writeln!(out, "{account}\t{n}")?;
        total += n;
    }
    out.flush()?;
    Ok(Work {
        vendors: vendors.len(),
        items: total,
        note: format!("transactions in {pages} pages"),
        ..Work::default()
    })
}

/// Statements plus every journal page they would render, not rendered.
async fn statement_lines(ledger: &Ledger, p: &PhaseArgs) -> Res<Work> {
    let mut out = std::io::BufWriter::new(std::fs::File::create(p.out.join(totals::LINES_FILE))?);
    let vendors = ledger.vendors().await?;
    let mut total = 0u64;
    for v in &vendors {
        let st = vendor_statement(ledger, &v.id, p.month).await?;
        let mut n = 0u64;
        for_each_line_page(ledger.store().as_ref(), &st, |page| {
            n += page.len() as u64;
            Ok(())
        })
        .await?;
        writeln!(out, "{}\t{n}", st.account)?;
        total += n;
    }
    out.flush()?;
    Ok(Work {
        vendors: vendors.len(),
        items: total,
        note: "statement lines read".into(),
        ..Work::default()
    })
}

/// (a) `close_month` into the chosen object store, with a quiet
/// `LogNotifier`: for all vendors in one call, or (`one_by_one`) one call
/// per vendor, so that no two statements are in flight at once. The time
/// stops when the last call returns; the checks after it are not timed.
async fn close(ledger: &Ledger, p: &PhaseArgs, started: Instant, one_by_one: bool) -> Res<Work> {
    let objects: DynObjectStore = match p.objects {
        Objects::Memory => Arc::new(MemoryObjectStore::new()),
        Objects::Local => Arc::new(LocalDirStore::open(p.out.join("objects"))?),
    };
    let notifier = LogNotifier::quiet();
    let opts = CloseOptions {
        month: p.month,
        vendors: None,
        sse: Sse::S3,
    };
    let report = if one_by_one {
        let mut all = CloseReport::default();
        for v in ledger.vendors().await? {
            let opts = CloseOptions {
                vendors: Some(vec![v.id]),
                ..opts.clone()
            };
            let one = close_month(
                ledger,
                objects.as_ref(),
                &notifier,
                &opts,
                &mut |_, _, _| {},
            )
            .await?;
            all.closed.extend(one.closed);
            all.failed.extend(one.failed);
        }
        all
    } else {
        close_month(
            ledger,
            objects.as_ref(),
            &notifier,
            &opts,
            &mut |_, _, _| {},
        )
        .await?
    };
    let secs = since(started);
    if let Some((vendor, e)) = report.failed.first() {
        return Err(format!(
            "{} vendors failed, {vendor} first: {e}",
            report.failed.len()
        )
        .into());
    }
    let mut out = std::io::BufWriter::new(std::fs::File::create(p.out.join(totals::LINES_FILE))?);
    let mut lines = 0u64;
    // Lines are counted per vendor account, which is named with the
    // vendor's currency.
    let currencies: std::collections::HashMap<_, _> = ledger
        .vendors()
        .await?
        .into_iter()
        .map(|v| (v.id, v.currency.code))
        .collect();
    for c in &report.closed {
        let currency = currencies
            .get(&c.vendor)
            .ok_or_else(|| format!("vendor {} closed but not listed", c.vendor))?;
        writeln!(out, "vendor:{}:{currency}\t{}", c.vendor, c.lines)?;
        lines += c.lines;
    }
    out.flush()?;
    let stored = objects.list("statements/").await?;
    let bytes: u64 = stored.iter().map(|m| m.size).sum();
    let issued = report
        .closed
        .iter()
        .filter(|c| c.outcome == "issued")
        .count();
    Ok(Work {
        vendors: report.closed.len(),
        items: lines,
        query_secs: Some(secs),
        server_cpu: None,
        note: format!(
            "lines; {issued} issued, {} notified, {} objects, {:.1} MiB held by the {} object store",
            notifier.sent().len(),
            stored.len(),
            bytes as f64 / 1048576.0,
            p.objects.name()
        ),
    })
}
