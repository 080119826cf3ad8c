//! Runs a phase in a child process of this binary, so that the phase's
//! peak RSS is measured alone: `VmHWM` cannot be reset inside a process.

use std::path::Path;
use std::process::{Command, Stdio};

use dcms_core::calendar::Month;

use crate::args::Objects;
use crate::db::Database;
use crate::phase::{Phase, PhaseResult};
use crate::Res;

/// The database URL reaches the child in the environment, not in its
/// arguments (which any user of the machine can read).
pub const URL_VAR: &str = "DCMS_BENCH_CLOSE_URL";

/// Runs `phase` against `db` and returns what the child reported. The child
/// writes its files (totals, line counts, objects) under `out`.
pub fn run(
    db: &Database,
    phase: Phase,
    month: Month,
    objects: Objects,
    out: &Path,
) -> Res<PhaseResult> {
    std::fs::create_dir_all(out)?;
    let exe = std::env::current_exe()?;
    let output = Command::new(exe)
        .args(["--phase", phase.name()])
        .args(["--engine", db.engine.name()])
        .args(["--month", &month.to_string()])
        .args(["--objects", objects.name()])
        .arg("--out")
        .arg(out)
        .env(URL_VAR, &db.url)
        .stdin(Stdio::null())
        .stderr(Stdio::inherit())
        .output()?;
    if !output.status.success() {
        return Err(format!("phase {} failed ({})", phase.name(), output.status).into());
    }
    let stdout = String::from_utf8(output.stdout)?;
    let line = stdout
        .lines()
        .last()
        .ok_or_else(|| format!("phase {} printed nothing", phase.name()))?;
    Ok(serde_json::from_str(line)?)
}
