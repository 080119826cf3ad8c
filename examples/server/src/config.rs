//! What the server is told on its command line or in its environment.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{Args, ValueEnum};

/// The signature algorithm every token must use (pinned: a token with any
/// other `alg` is refused before its signature is looked at).
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum JwtAlg {
    /// Ed25519 public keys from the JWKS (the default).
    #[value(name = "EdDSA")]
    EdDsa,
    /// P-256 public keys from the JWKS.
    #[value(name = "ES256")]
    Es256,
    /// RSA public keys from the JWKS.
    #[value(name = "RS256")]
    Rs256,
    /// A shared secret of at least 32 bytes: development only.
    #[value(name = "HS256")]
    Hs256,
}

/// Where statements are announced.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum NotifierKind {
    /// The server's log (the default).
    Log,
    /// A signed webhook (`--webhook-url`, `DCMS_WEBHOOK_SECRET`).
    Webhook,
    /// An SNS topic (`--sns-topic-arn`).
    Sns,
}

/// Settings of `dcms-server serve` (the default command).
#[derive(Debug, Clone, Args)]
pub struct ServeArgs {
    /// Address to listen on (port 0 picks a free port; the chosen address
    /// is printed on stdout).
    #[arg(long, env = "DCMS_LISTEN", default_value = "127.0.0.1:8080")]
    pub listen: SocketAddr,
    /// Data folder of the embedded default (SQLite file, objects, keys).
    #[arg(long, env = "DCMS_DATA_DIR", default_value = "dcms-data")]
    pub data_dir: PathBuf,
    /// Ledger database URL: `sqlite://…`, `postgres://…` or `mysql://…`
    /// (default: SQLite in the data folder).
    #[arg(long, env = "DCMS_DATABASE_URL", hide_env_values = true)]
    pub database_url: Option<String>,
    /// Group commit on PostgreSQL/MySQL (batches concurrent appends).
    #[arg(long, env = "DCMS_GROUP_COMMIT", default_value_t = true, action = clap::ArgAction::Set)]
    pub group_commit: bool,
    /// S3 bucket for statements and receipts (default: the local object
    /// folder in the data folder). Endpoint and credentials come from the
    /// usual AWS environment.
    #[arg(long, env = "DCMS_S3_BUCKET")]
    pub s3_bucket: Option<String>,
    /// S3 endpoint URL (MinIO and other S3-compatible servers).
    #[arg(long, env = "DCMS_S3_ENDPOINT")]
    pub s3_endpoint: Option<String>,
    /// Key prefix inside the S3 bucket (e.g. `dcms/prod`), so several
    /// programs can share one bucket (default: none).
    #[arg(long, env = "DCMS_S3_PREFIX", default_value = "")]
    pub s3_prefix: String,
    /// Who is told a statement is ready.
    #[arg(long, env = "DCMS_NOTIFIER", value_enum, default_value_t = NotifierKind::Log)]
    pub notifier: NotifierKind,
    /// The webhook URL of `--notifier webhook`.
    #[arg(long, env = "DCMS_WEBHOOK_URL")]
    pub webhook_url: Option<String>,
    /// The SNS topic of `--notifier sns`.
    #[arg(long, env = "DCMS_SNS_TOPIC_ARN")]
    pub sns_topic_arn: Option<String>,
    /// SNS endpoint URL (an SNS-compatible server; default: AWS's). Separate
    /// from `--s3-endpoint`: the two services are rarely on one host.
    #[arg(long, env = "DCMS_SNS_ENDPOINT")]
    pub sns_endpoint: Option<String>,
    /// Token signature algorithm.
    #[arg(long, env = "DCMS_JWT_ALG", value_enum, default_value_t = JwtAlg::EdDsa)]
    pub jwt_alg: JwtAlg,
    /// JWKS file of the public keys (default: `<data dir>/jwt/jwks.json`,
    /// which `dcms-server dev-keys` writes).
    #[arg(long, env = "DCMS_JWKS")]
    pub jwks: Option<PathBuf>,
    /// Seconds between re-reads of the JWKS file (it is also re-read on SIGHUP).
    #[arg(long, env = "DCMS_JWKS_RELOAD_SECS", default_value_t = 60)]
    pub jwks_reload_secs: u64,
    /// Required `iss` claim.
    #[arg(long, env = "DCMS_JWT_ISSUER", default_value = "dcms-dev")]
    pub issuer: String,
    /// Required `aud` claim.
    #[arg(long, env = "DCMS_JWT_AUDIENCE", default_value = "dcms-api")]
    pub audience: String,
    /// Seconds of clock skew allowed on `exp` and `nbf`.
    #[arg(long, env = "DCMS_JWT_LEEWAY_SECS", default_value_t = 30)]
    pub leeway_secs: u64,
    /// Largest request body in bytes.
    #[arg(long, env = "DCMS_BODY_LIMIT", default_value_t = 16 * 1024)]
    pub body_limit: usize,
    /// Seconds between releases of expired holds.
    #[arg(long, env = "DCMS_HOLD_RELEASE_SECS", default_value_t = 5)]
    pub hold_release_secs: u64,
    /// Seconds a redemption code lives.
    #[arg(long, env = "DCMS_CODE_TTL_SECS", default_value_t = 300)]
    pub code_ttl_secs: i64,
    /// Seconds requests in flight get to finish after SIGTERM.
    #[arg(long, env = "DCMS_SHUTDOWN_GRACE_SECS", default_value_t = 20)]
    pub shutdown_grace_secs: u64,
    /// Log as JSON lines (default) or as text for a terminal.
    #[arg(long, env = "DCMS_LOG_FORMAT", default_value = "json")]
    pub log_format: String,
}

impl ServeArgs {
    /// The JWKS file in use.
    pub fn jwks_path(&self) -> PathBuf {
        self.jwks
            .clone()
            .unwrap_or_else(|| self.data_dir.join("jwt").join("jwks.json"))
    }

    /// The ledger database URL in use.
    pub fn database_url(&self) -> String {
        self.database_url.clone().unwrap_or_else(|| {
            format!(
                "sqlite://{}?mode=rwc",
                self.data_dir.join("ledger.db").display()
            )
        })
    }
}
