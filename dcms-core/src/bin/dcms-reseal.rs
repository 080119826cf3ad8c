//! `dcms-reseal`: seals a local object directory's plaintext objects and
//! rotates its master key. A thin wrapper over
//! [`LocalDirStore::reseal`], [`LocalDirStore::rotate_master_key`] and
//! [`LocalDirStore::retire_previous_keys`]; see `dcms_core::object_local`.
//!
//! ```text
//! dcms-reseal DIR [--key-file PATH] [--rotate | --retire]
//! ```
//! Exit status: 0 done, 1 failed (the message says why), 2 usage.

use std::path::PathBuf;
use std::process::ExitCode;

use dcms_core::object_local::{KeySource, LocalDirStore, ResealReport};

const USAGE: &str = "\
usage: dcms-reseal DIR [--key-file PATH] [--rotate | --retire]

Brings every object of the local object directory DIR under the current
master key: seals objects written before encryption, and re-wraps data keys
wrapped by an older key (bodies are not re-encrypted). Safe to run again.

  --rotate         put a new master key first in the key file (the old one is
                   kept, as previous), then re-wrap everything under it
  --retire         re-wrap anything still under an older key, then remove the
                   older keys from the key file (after restarting other users)
  --key-file PATH  the key file (default: $DCMS_OBJECT_KEYS if set, else DIR/master.key)

Stop other writers to DIR while it runs.";

enum Action {
    Reseal,
    Rotate,
    Retire,
}

fn parse(args: &[String]) -> Result<(PathBuf, KeySource, Action), String> {
    let (mut dir, mut source, mut action) = (None, KeySource::Default, Action::Reseal);
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--rotate" => action = Action::Rotate,
            "--retire" => action = Action::Retire,
            "--key-file" => {
                let path = args.next().ok_or("--key-file needs a path")?;
                source = KeySource::File(PathBuf::from(path));
            }
            "-h" | "--help" => return Err(String::new()),
            flag if flag.starts_with('-') => return Err(format!("unknown option {flag}")),
            path if dir.is_none() => dir = Some(PathBuf::from(path)),
            extra => return Err(format!("unexpected argument {extra}")),
        }
    }
    let dir = dir.ok_or("DIR is missing")?;
    Ok((dir, source, action))
}

fn run(dir: &PathBuf, source: &KeySource, action: &Action) -> dcms_core::Result<ResealReport> {
    if !dir.join("objects").is_dir() {
        // Opening would create an empty store: almost surely a mistyped path.
        return Err(dcms_core::Error::InvalidInput {
            field: "DIR",
            reason: format!("{} has no objects/ folder", dir.display()),
        });
    }
    match action {
        Action::Reseal => LocalDirStore::open_with(dir, source)?.reseal(),
        Action::Rotate => LocalDirStore::rotate_master_key(dir, source),
        Action::Retire => LocalDirStore::retire_previous_keys(dir, source),
    }
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (dir, source, action) = match parse(&args) {
        Ok(parsed) => parsed,
        Err(why) => {
            if !why.is_empty() {
                eprintln!("dcms-reseal: {why}");
            }
            eprintln!("{USAGE}");
            return ExitCode::from(2);
        }
    };
    match run(&dir, &source, &action) {
        Ok(report) => {
            let keys = LocalDirStore::open_with(&dir, &source).map(|s| s.master_keys().clone());
            let key = keys.map(|k| k.current().id_hex()).unwrap_or_default();
            println!(
                "dcms-reseal {}: sealed {}, re-wrapped {}, unchanged {}; master key {key}",
                dir.display(),
                report.sealed,
                report.rewrapped,
                report.unchanged
            );
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("dcms-reseal {}: {e} [{}]", dir.display(), e.code());
            ExitCode::FAILURE
        }
    }
}
