//! Command line: the benchmark's options, or one phase for a child process.

use std::path::PathBuf;

use dcms_core::calendar::Month;

use crate::db::Engine;
use crate::phase::Phase;

pub const USAGE: &str = "\
usage: dcms-bench-close [options]
  --engine sqlite|postgres|all   engines to run (default all; postgres needs DCMS_BENCH_POSTGRES_URL)
  --vendors N                    vendors (default 100)
  --rows N                       journal transactions in the closed month (default 100000);
                                 5% more go to the month before, 1% to the first days after
  --customers N                  customer accounts (default 2000)
  --tasks N                      concurrent seeding tasks (default 128)
  --month YYYY-MM                the month closed (default 2026-10)
  --objects memory|local         close_month into a MemoryObjectStore (default) or a
                                 LocalDirStore in a temporary directory
  --repeat N                     runs of each read phase; the median is reported (default 1)
  --prototypes                   also run the phases that prototyped the store's statement reads
                                 (raw `activity` and `journal` SQL, `journal` pages)
  --verify                       run Ledger::verify after seeding
  --keep                         keep the seeded databases (prints their URLs)
  --seed-only                    seed (and --verify), keep the databases, measure nothing
  --existing URL                 measure an already seeded database (from --keep) instead
";

/// What the command line asked for.
#[derive(Debug)]
pub enum Cli {
    Help,
    Bench(Options),
    Phase(PhaseArgs),
}

/// Where `close_month` stores the documents.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Objects {
    Memory,
    Local,
}

impl Objects {
    pub fn name(self) -> &'static str {
        match self {
            Objects::Memory => "memory",
            Objects::Local => "local",
        }
    }

    fn parse(s: &str) -> Result<Self, String> {
        match s {
            "memory" => Ok(Objects::Memory),
            "local" => Ok(Objects::Local),
            _ => Err(format!("--objects {s:?}: memory or local")),
        }
    }
}

/// The benchmark's settings.
#[derive(Debug, Clone)]
pub struct Options {
    pub engines: Vec<Engine>,
    pub vendors: usize,
    pub rows: usize,
    pub customers: usize,
    pub tasks: usize,
    pub month: Month,
    pub objects: Objects,
    pub repeat: usize,
    pub prototypes: bool,
    pub verify: bool,
    pub keep: bool,
    pub seed_only: bool,
    pub existing: Option<String>,
}

/// One phase, run by a child process. The database URL comes in the
/// environment ([`crate::child::URL_VAR`]), not on the command line.
#[derive(Debug, Clone)]
pub struct PhaseArgs {
    pub phase: Phase,
    pub engine: Engine,
    pub month: Month,
    pub objects: Objects,
    /// Where the phase writes what the parent checks (totals, line counts).
    pub out: PathBuf,
}

fn number(flag: &str, value: Option<String>) -> Result<usize, String> {
    let v = value.ok_or_else(|| format!("{flag} needs a value"))?;
    let n: usize = v
        .replace('_', "")
        .parse()
        .map_err(|_| format!("{flag} {v:?}: not a number"))?;
    if n == 0 {
        return Err(format!("{flag} must be at least 1"));
    }
    Ok(n)
}

fn text(flag: &str, value: Option<String>) -> Result<String, String> {
    value.ok_or_else(|| format!("{flag} needs a value"))
}

fn month(value: String) -> Result<Month, String> {
    Month::parse(&value).map_err(|e| format!("--month: {e}"))
}

/// Parses the arguments (without the program name).
pub fn parse(args: impl Iterator<Item = String>) -> Result<Cli, String> {
    let mut args = args.peekable();
    if args.peek().map(String::as_str) == Some("--phase") {
        return parse_phase(args).map(Cli::Phase);
    }
    let mut o = Options {
        engines: vec![Engine::Sqlite, Engine::Postgres],
        vendors: 100,
        rows: 100_000,
        customers: 2000,
        tasks: 128,
        month: month("2026-10".into())?,
        objects: Objects::Memory,
        repeat: 1,
        prototypes: false,
        verify: false,
        keep: false,
        seed_only: false,
        existing: None,
    };
    while let Some(flag) = args.next() {
        match flag.as_str() {
            "-h" | "--help" => return Ok(Cli::Help),
            "--engine" => {
                o.engines = match text(&flag, args.next())?.as_str() {
                    "all" => vec![Engine::Sqlite, Engine::Postgres],
                    other => vec![Engine::parse(other)?],
                }
            }
            "--vendors" => o.vendors = number(&flag, args.next())?,
            "--rows" => o.rows = number(&flag, args.next())?,
            "--customers" => o.customers = number(&flag, args.next())?,
            "--tasks" => o.tasks = number(&flag, args.next())?,
            "--month" => o.month = month(text(&flag, args.next())?)?,
            "--objects" => o.objects = Objects::parse(&text(&flag, args.next())?)?,
            "--repeat" => o.repeat = number(&flag, args.next())?,
            "--prototypes" => o.prototypes = true,
            "--verify" => o.verify = true,
            "--keep" => o.keep = true,
            "--seed-only" => {
                o.seed_only = true;
                o.keep = true;
            }
            "--existing" => {
                let url = text(&flag, args.next())?;
                o.engines = vec![Engine::from_url(&url)?];
                o.existing = Some(url);
            }
            other => return Err(format!("unknown option {other:?}")),
        }
    }
    Ok(Cli::Bench(o))
}

fn parse_phase(mut args: impl Iterator<Item = String>) -> Result<PhaseArgs, String> {
    let (mut phase, mut engine, mut m, mut objects, mut out) = (None, None, None, None, None);
    while let Some(flag) = args.next() {
        let value = text(&flag, args.next())?;
        match flag.as_str() {
            "--phase" => phase = Some(Phase::parse(&value)?),
            "--engine" => engine = Some(Engine::parse(&value)?),
            "--month" => m = Some(month(value)?),
            "--objects" => objects = Some(Objects::parse(&value)?),
            "--out" => out = Some(PathBuf::from(value)),
            other => return Err(format!("unknown phase option {other:?}")),
        }
    }
    Ok(PhaseArgs {
        phase: phase.ok_or("--phase missing")?,
        engine: engine.ok_or("--engine missing")?,
        month: m.ok_or("--month missing")?,
        objects: objects.unwrap_or(Objects::Memory),
        out: out.ok_or("--out missing")?,
    })
}
