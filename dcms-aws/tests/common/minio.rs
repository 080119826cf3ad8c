//! A MinIO server of the test's own, on 127.0.0.1 and a free port, over a
//! data folder the test owns: the at-rest cases read and alter MinIO's files
//! and restart it under another KMS key, which the shared server must not
//! suffer. Uses the MinIO binary `scripts/services/minio.sh` built.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub const USER: &str = "dcmsatrest";
pub const PASSWORD: &str = "dcmsatrest-secret";
pub const REGION: &str = "us-east-1";

/// The MinIO binary: `DCMS_TEST_MINIO_BIN`, else the one cached by
/// `scripts/services/minio.sh` under `$DCMS_CACHE` (default `~/.cache/dcms`).
pub fn binary() -> Option<PathBuf> {
    if let Some(bin) = std::env::var_os("DCMS_TEST_MINIO_BIN") {
        return Some(PathBuf::from(bin));
    }
    let cache = std::env::var_os("DCMS_CACHE")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache/dcms")))?;
    let mut found: Vec<PathBuf> = std::fs::read_dir(cache)
        .ok()?
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().starts_with("minio-v"))
        .map(|e| e.path().join("minio"))
        .filter(|p| p.is_file())
        .collect();
    found.sort();
    found.pop()
}

/// A running MinIO, killed (by its own child handle) when dropped.
pub struct Minio {
    child: Child,
    pub endpoint: String,
}

impl Drop for Minio {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

impl Minio {
    /// Starts MinIO over `data` with the static KMS key `kms` (`name:base64`).
    pub async fn start(bin: &Path, data: &Path, kms: &str) -> Minio {
        std::fs::create_dir_all(data).unwrap();
        let (port, console) = (free_port(), free_port());
        let log = std::fs::File::create(data.with_extension("log")).unwrap();
        let child = Command::new(bin)
            .args(["server", "--quiet", "--address"])
            .arg(format!("127.0.0.1:{port}"))
            .arg("--console-address")
            .arg(format!("127.0.0.1:{console}"))
            .arg(data)
            .env("MINIO_ROOT_USER", USER)
            .env("MINIO_ROOT_PASSWORD", PASSWORD)
            .env("MINIO_KMS_SECRET_KEY", kms)
            .env("MINIO_BROWSER", "off")
            .env("MINIO_UPDATE", "off")
            .stdin(Stdio::null())
            .stdout(log.try_clone().unwrap())
            .stderr(log)
            .spawn()
            .unwrap();
        let mut minio = Minio {
            child,
            endpoint: format!("http://127.0.0.1:{port}"),
        };
        let ready = format!("{}/minio/health/ready", minio.endpoint);
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            if let Ok(r) = reqwest::get(&ready).await {
                if r.status().is_success() {
                    return minio;
                }
            }
            if let Ok(Some(status)) = minio.child.try_wait() {
                panic!(
                    "MinIO exited with {status}; see {}",
                    data.with_extension("log").display()
                );
            }
            assert!(
                Instant::now() < deadline,
                "MinIO at {} did not get ready",
                minio.endpoint
            );
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }
}

/// Copies a folder tree (MinIO's data), file by file.
pub fn copy_tree(from: &Path, to: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(to)?;
    for entry in std::fs::read_dir(from)? {
        let entry = entry?;
        let target = to.join(entry.file_name());
        if entry.file_type()?.is_dir() {
            copy_tree(&entry.path(), &target)?;
        } else {
            std::fs::copy(entry.path(), target)?;
        }
    }
    Ok(())
}
