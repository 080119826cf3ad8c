//! The totals each phase found, written as tab-separated lines so the
//! parent can compare phases: `account, day (or "opening"), kind, count,
//! points`, points from the vendor's side (what it owes: the ledger's
//! liability balance negated, as the statement shows it).

use std::collections::{BTreeMap, BTreeSet};
use std::fs::File;
use std::io::{BufRead, BufReader, BufWriter, Write};
use std::path::Path;

use dcms_core::statement::Statement;

use crate::Res;

pub const TOTALS_FILE: &str = "totals.tsv";
pub const LINES_FILE: &str = "lines.tsv";

/// Writes totals lines.
#[derive(Debug)]
pub struct Writer(BufWriter<File>);

impl Writer {
    pub fn create(dir: &Path, name: &str) -> Res<Self> {
        Ok(Writer(BufWriter::new(File::create(dir.join(name))?)))
    }

    pub fn line(
        &mut self,
        account: &str,
        day: &str,
        kind: &str,
        count: u64,
        points: i64,
    ) -> Res<()> {
        writeln!(self.0, "{account}\t{day}\t{kind}\t{count}\t{points}")?;
        Ok(())
    }

    /// A statement's opening balance and per-day, per-kind totals.
    pub fn statement(&mut self, st: &Statement) -> Res<()> {
        let account = st.account.to_string();
        self.line(&account, "opening", "-", 0, st.opening)?;
        for day in &st.days {
            let date = day.date.to_string();
            for k in &day.kinds {
                self.line(&account, &date, k.kind.as_str(), k.count, k.points)?;
            }
        }
        Ok(())
    }

    pub fn finish(mut self) -> Res<()> {
        self.0.flush()?;
        Ok(())
    }
}

/// Lines of a file, as a set (order does not matter).
pub fn read_set(path: &Path) -> Res<BTreeSet<String>> {
    let mut set = BTreeSet::new();
    for line in BufReader::new(File::open(path)?).lines() {
        set.insert(line?);
    }
    Ok(set)
}

/// How two totals files compare.
#[derive(Debug, Clone, Default)]
pub struct Comparison {
    pub vendors: usize,
    pub lines: usize,
    pub differences: usize,
    pub example: Option<String>,
}

impl Comparison {
    pub fn ok(&self) -> bool {
        self.differences == 0 && self.lines > 0
    }

    pub fn describe(&self) -> String {
        if self.ok() {
            format!(
                "equal: {} vendors, {} total lines",
                self.vendors, self.lines
            )
        } else {
            format!(
                "DIFFERENT: {} of {} lines differ (e.g. {})",
                self.differences,
                self.lines,
                self.example.as_deref().unwrap_or("no lines")
            )
        }
    }
}

/// Compares every line of two totals files (all vendors, not a sample).
pub fn compare(a: &Path, b: &Path) -> Res<Comparison> {
    let (a, b) = (read_set(a)?, read_set(b)?);
    let differences: Vec<&String> = a.symmetric_difference(&b).collect();
    let vendors: BTreeSet<&str> = a.iter().filter_map(|l| l.split('\t').next()).collect();
    Ok(Comparison {
        vendors: vendors.len(),
        lines: a.len().max(b.len()),
        differences: differences.len(),
        example: differences.first().map(|s| s.replace('\t', " ")),
    })
}

/// Per account, how many transactions a totals file counts in the month.
pub fn counts_per_account(totals: &Path) -> Res<BTreeMap<String, u64>> {
    let mut counts = BTreeMap::new();
    for line in read_set(totals)? {
        let f: Vec<&str> = line.split('\t').collect();
        if f.len() == 5 && f[1] != "opening" {
            *counts.entry(f[0].to_string()).or_default() += f[3].parse::<u64>()?;
        }
    }
    Ok(counts)
}

/// Per account line counts written as `account \t lines`.
pub fn read_line_counts(path: &Path) -> Res<BTreeMap<String, u64>> {
    let mut counts = BTreeMap::new();
    for line in read_set(path)? {
        if let Some((account, n)) = line.split_once('\t') {
            counts.insert(account.to_string(), n.parse()?);
        }
    }
    Ok(counts)
}

/// Compares per-account line counts with the counts in a totals file
/// (accounts with no lines may be absent from either).
pub fn compare_counts(lines: &Path, totals: &Path) -> Res<Comparison> {
    let (got, want) = (read_line_counts(lines)?, counts_per_account(totals)?);
    let accounts: BTreeSet<&String> = got.keys().chain(want.keys()).collect();
    let mut c = Comparison {
        vendors: accounts.len(),
        lines: got.values().sum::<u64>() as usize,
        ..Comparison::default()
    };
    for a in accounts {
        let (g, w) = (
            got.get(a).copied().unwrap_or(0),
            want.get(a).copied().unwrap_or(0),
        );
        if g != w {
            c.differences += 1;
            c.example
                .get_or_insert(format!("{a}: {g} lines, GROUP BY counts {w}"));
        }
    }
    Ok(c)
}
