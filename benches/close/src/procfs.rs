//! What Linux reports about this process in `/proc/self`.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Duration;

/// A `/proc/self/status` field in KiB; 0 when it cannot be read (not Linux).
fn status_kib(field: &str) -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .unwrap_or_default()
        .lines()
        .find_map(|l| l.strip_prefix(field))
        .and_then(|rest| rest.split_whitespace().next())
        .and_then(|n| n.parse().ok())
        .unwrap_or(0)
}

/// Peak resident set size (`VmHWM`), in KiB; 0 when `/proc/self/status`
/// cannot be read (not Linux). It counts file pages mapped into the
/// process too: the store maps SQLite's database file for its statement
/// reads, so every page of it a reader touched counts, once per reader
/// connection that mapped it.
pub fn peak_rss_kib() -> u64 {
    status_kib("VmHWM:")
}

/// The peak of `RssAnon` (the process's own memory: heap and stacks, not
/// mapped files), sampled every 5 ms on a thread of its own; Linux keeps no
/// peak of it.
pub struct AnonPeak {
    stop: Arc<AtomicBool>,
    thread: JoinHandle<u64>,
}

impl AnonPeak {
    pub fn start() -> Self {
        let stop = Arc::new(AtomicBool::new(false));
        let flag = stop.clone();
        let thread = std::thread::spawn(move || {
            let mut peak = 0;
            while !flag.load(Ordering::Relaxed) {
                peak = peak.max(status_kib("RssAnon:"));
                std::thread::sleep(Duration::from_millis(5));
            }
            peak.max(status_kib("RssAnon:"))
        });
        AnonPeak { stop, thread }
    }

    /// Stops sampling; the peak in KiB.
    pub fn finish(self) -> u64 {
        self.stop.store(true, Ordering::Relaxed);
        self.thread.join().unwrap_or(0)
    }
}

/// CPU seconds (user + system) this process has used so far, from
/// `/proc/self/stat` (in clock ticks of 1/100 s, Linux's `USER_HZ` on
/// every common platform); 0 when it cannot be read.
pub fn cpu_secs() -> f64 {
    cpu_secs_of_file("/proc/self/stat").unwrap_or(0.0)
}

/// CPU seconds (user + system) process `pid` has used, when this user may
/// read its `/proc/<pid>/stat`.
fn cpu_secs_of(pid: i64) -> Option<f64> {
    cpu_secs_of_file(&format!("/proc/{pid}/stat"))
}

fn cpu_secs_of_file(path: &str) -> Option<f64> {
    let stat = std::fs::read_to_string(path).ok()?;
    // The command name (field 2) is in parentheses and may hold spaces:
    // count fields after its closing parenthesis. utime and stime are
    // fields 14 and 15, i.e. the 12th and 13th after it.
    let (_, rest) = stat.rsplit_once(')')?;
    let ticks: u64 = rest
        .split_whitespace()
        .skip(11)
        .take(2)
        .filter_map(|f| f.parse::<u64>().ok())
        .sum();
    Some(ticks as f64 / 100.0)
}

/// CPU seconds of the PostgreSQL backends serving this database (every
/// client connection but the one asking), read from `/proc`: PostgreSQL
/// runs on this machine for the benchmark. None when it cannot be read.
pub async fn postgres_backends_cpu(url: &str) -> crate::Res<Option<f64>> {
    use sqlx::{Connection, Row};
    let mut conn = sqlx::AnyConnection::connect(url).await?;
    let rows = sqlx::query(
        "SELECT pid FROM pg_stat_activity WHERE datname = current_database() \
         AND backend_type = 'client backend' AND pid <> pg_backend_pid()",
    )
    .fetch_all(&mut conn)
    .await?;
    conn.close().await?;
    let mut total = 0.0;
    for row in &rows {
        let pid: i32 = row.try_get(0)?;
        match cpu_secs_of(i64::from(pid)) {
            Some(secs) => total += secs,
            None => return Ok(None),
        }
    }
    Ok(Some(total))
}
