//! The benchmark for each engine: a fresh database, seeding, then every
//! phase in its own child process, then the correctness checks.

use std::path::{Path, PathBuf};
use std::time::Instant;

use sqlx::{AnyConnection, Connection};

use crate::args::Options;
use crate::db::{install_drivers, Database, Engine};
use crate::phase::{Phase, PhaseResult};
use crate::report::{self, Check, EngineReport, Measured};
use crate::seed;
use crate::totals;
use crate::{child, machine, Res};

/// Runs every engine asked for and prints the report.
pub async fn all(o: &Options) -> Res<()> {
    eprintln!("machine: {}", machine::describe());
    let mut reports = Vec::new();
    for engine in &o.engines {
        reports.push(one(*engine, o).await?);
    }
    print!("{}", report::markdown(o, &reports));
    Ok(())
}

async fn one(engine: Engine, o: &Options) -> Res<EngineReport> {
    let db = match &o.existing {
        Some(url) => Database::existing(url)?,
        None => Database::fresh(engine).await?,
    };
    eprintln!("== {}: {}", engine.name(), db.shown_url());
    let result = measure(&db, o).await;
    db.finish(o.keep || result.is_err()).await?;
    result
}

async fn measure(db: &Database, o: &Options) -> Res<EngineReport> {
    let seeded = match &o.existing {
        Some(url) => {
            let month = seed::seeded_month(url).await?;
            if month != o.month {
                return Err(format!("{url} was seeded for {month}, not {}", o.month).into());
            }
            None
        }
        None => Some(seed::seed(db, o).await?),
    };
    if o.seed_only {
        return Ok(EngineReport {
            engine: db.engine,
            seed: seeded,
            maintenance: Vec::new(),
            rows: Vec::new(),
            checks: Vec::new(),
            load: (machine::load(), machine::load()),
        });
    }
    let maintenance = maintain(db).await?;
    let work = std::env::temp_dir().join(format!(
        "dcms_close_{}_work_{}",
        std::process::id(),
        db.engine.name()
    ));
    let mut r = EngineReport {
        engine: db.engine,
        seed: seeded,
        maintenance,
        rows: Vec::new(),
        checks: Vec::new(),
        load: (machine::load(), 0.0),
    };
    let runner = Runner { db, o, work: &work };
    eprintln!("  warm-up: one untimed plain read of every line");
    runner.once(Phase::PlainLines, "warmup", 0)?;
    r.rows
        .extend(runner.rounds(&[Phase::BaselineLedger, Phase::BaselineSql], "", 1)?);
    let mut reads = vec![
        Phase::PlainGroupBy,
        Phase::Summaries,
        Phase::PlainLines,
        Phase::StatementLines,
        Phase::CloseSequential,
        Phase::Close,
    ];
    if o.prototypes {
        reads.extend([
            Phase::ProposedActivity,
            Phase::JournalPages,
            Phase::JournalSqlToday,
            Phase::JournalSqlProposed,
        ]);
    }
    r.rows.extend(runner.rounds(&reads, "", o.repeat)?);
    r.checks.extend(checks(&r.rows, "")?);
    r.load.1 = machine::load();
    std::fs::remove_dir_all(&work)?;
    Ok(r)
}

/// What the database gets before the measured phases. First the store is
/// opened once, which applies its pending migrations (a database seeded by
/// an older build gets the statement index here, timed), so every phase,
/// the plain SQL ones too, runs on the same schema. Then what a production
/// database would have had from its own maintenance: PostgreSQL `VACUUM
/// ANALYZE` (autovacuum's job; it also lets index-only scans skip the
/// heap). SQLite: nothing (the store never runs ANALYZE). An `--existing`
/// database loses the prototype index of an earlier harness version.
async fn maintain(db: &Database) -> Res<Vec<(String, f64)>> {
    let mut done = Vec::new();
    let started = Instant::now();
    let store = dcms_store::SqlStore::connect(&db.url, dcms_store::StoreOptions::default()).await?;
    store.close().await;
    done.push((
        "open the store (applies pending migrations)".to_string(),
        started.elapsed().as_secs_f64(),
    ));
    install_drivers();
    let mut conn = AnyConnection::connect(&db.url).await?;
    sqlx::raw_sql("DROP INDEX IF EXISTS bench_postings_cover")
        .execute(&mut conn)
        .await?;
    if db.engine == Engine::Postgres {
        let started = Instant::now();
        sqlx::raw_sql("VACUUM ANALYZE").execute(&mut conn).await?;
        done.push(("VACUUM ANALYZE".into(), started.elapsed().as_secs_f64()));
    }
    conn.close().await?;
    Ok(done)
}

struct Runner<'a> {
    db: &'a Database,
    o: &'a Options,
    work: &'a Path,
}

impl Runner<'_> {
    fn dir(&self, phase: Phase, tag: &str, run: usize) -> PathBuf {
        self.work.join(format!("{}{tag}-{run}", phase.name()))
    }

    /// Runs `phase` once.
    fn once(&self, phase: Phase, tag: &str, run: usize) -> Res<PhaseResult> {
        let result = child::run(
            self.db,
            phase,
            self.o.month,
            self.o.objects,
            &self.dir(phase, tag, run),
        )?;
        let shown_tag = if tag.is_empty() {
            String::new()
        } else {
            format!(" [{tag}]")
        };
        eprintln!(
            "  {}{shown_tag}: {:.2} s, peak RSS {:.0} MiB, {} vendors, {} items",
            phase.name(),
            result.secs,
            result.hwm_kib as f64 / 1024.0,
            result.vendors,
            result.items
        );
        Ok(result)
    }

    /// Runs `phases` in `n` rounds (every phase once per round, so a burst
    /// of load elsewhere on the machine hits one round of each rather than
    /// every run of one phase); keeps each phase's median run by seconds.
    fn rounds(&self, phases: &[Phase], tag: &str, n: usize) -> Res<Vec<Measured>> {
        let mut runs: Vec<Vec<PhaseResult>> = vec![Vec::with_capacity(n); phases.len()];
        for round in 0..n {
            for (i, phase) in phases.iter().enumerate() {
                runs[i].push(self.once(*phase, tag, round)?);
            }
        }
        Ok(phases
            .iter()
            .zip(runs)
            .map(|(phase, runs)| self.median(*phase, tag, runs))
            .collect())
    }

    fn median(&self, phase: Phase, tag: &str, mut runs: Vec<PhaseResult>) -> Measured {
        let mut order: Vec<usize> = (0..runs.len()).collect();
        order.sort_by(|a, b| runs[*a].secs.total_cmp(&runs[*b].secs));
        let median = order[(order.len() - 1) / 2];
        let peak = runs.iter().map(|r| r.hwm_kib).max().unwrap_or(0);
        let anon_peak = runs.iter().map(|r| r.anon_peak_kib).max().unwrap_or(0);
        let all_secs = runs.iter().map(|r| r.secs).collect();
        let mut cpu: Vec<f64> = runs.iter().map(|r| r.cpu_secs).collect();
        let mut server: Vec<f64> = runs.iter().filter_map(|r| r.server_cpu_secs).collect();
        server.sort_by(f64::total_cmp);
        cpu.sort_by(f64::total_cmp);
        let cpu_median = cpu[(cpu.len() - 1) / 2];
        let mut result = runs.swap_remove(median);
        result.hwm_kib = peak;
        result.anon_peak_kib = anon_peak;
        result.cpu_secs = cpu_median;
        result.server_cpu_secs = server.get(server.len().saturating_sub(1) / 2).copied();
        Measured {
            phase,
            tag: tag.to_string(),
            result,
            all_secs,
            dir: self.dir(phase, tag, median),
        }
    }
}

fn find<'a>(rows: &'a [Measured], phase: Phase, tag: &str) -> Res<&'a Measured> {
    rows.iter()
        .find(|m| m.phase == phase && m.tag == tag)
        .ok_or_else(|| format!("phase {} [{tag}] missing", phase.name()).into())
}

/// Every vendor's totals and line counts, compared with the plain GROUP BY
/// of the same database state (for the phases that ran).
fn checks(rows: &[Measured], tag: &str) -> Res<Vec<Check>> {
    let plain = find(rows, Phase::PlainGroupBy, tag)?
        .dir
        .join(totals::TOTALS_FILE);
    let mut out = Vec::new();
    let totals_checks = [
        (
            Phase::Summaries,
            "(b) vendor_statement totals = (c) GROUP BY totals",
        ),
        (
            Phase::ProposedActivity,
            "(e) one-statement activity SQL totals = (c) GROUP BY totals",
        ),
    ];
    for (phase, what) in totals_checks {
        if let Ok(m) = find(rows, phase, tag) {
            let file = m.dir.join(totals::TOTALS_FILE);
            out.push(Check {
                what: what.to_string(),
                comparison: totals::compare(&file, &plain)?,
            });
        }
    }
    let count_checks = [
        (
            Phase::Close,
            "(a) close_month lines per vendor = (c) GROUP BY counts",
        ),
        (
            Phase::CloseSequential,
            "(a) close_month one vendor at a time: lines per vendor = (c) GROUP BY counts",
        ),
        (
            Phase::PlainLines,
            "(d) plain line read per vendor = (c) GROUP BY counts",
        ),
        (
            Phase::JournalPages,
            "`journal` pages per vendor = (c) GROUP BY counts",
        ),
        (
            Phase::JournalSqlToday,
            "`journal`'s SQL per vendor = (c) GROUP BY counts",
        ),
        (
            Phase::JournalSqlProposed,
            "one-statement `journal` page SQL per vendor = (c) GROUP BY counts",
        ),
        (
            Phase::StatementLines,
            "statement lines per vendor = (c) GROUP BY counts",
        ),
    ];
    for (phase, what) in count_checks {
        if let Ok(m) = find(rows, phase, tag) {
            let file = m.dir.join(totals::LINES_FILE);
            out.push(Check {
                what: what.to_string(),
                comparison: totals::compare_counts(&file, &plain)?,
            });
        }
    }
    Ok(out)
}
