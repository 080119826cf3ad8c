//! Opens what the configuration names: the ledger store, the object store
//! and the notifier. The embedded default needs nothing installed.

use std::sync::Arc;

use dcms_aws::{AwsSettings, S3ObjectStore, SnsNotifier, WebhookNotifier, WebhookSecret};
use dcms_core::codes::DynCodeStore;
use dcms_core::notify_log::LogNotifier;
use dcms_core::object_local::LocalDirStore;
use dcms_core::{DynLedgerStore, DynNotifier, DynObjectStore};
use dcms_store::{GroupCommit, SqlStore, StoreOptions};

use crate::config::{NotifierKind, ServeArgs};

/// The backends, opened.
pub struct Backends {
    /// The ledger store.
    pub store: DynLedgerStore,
    /// One-time redemption codes, kept in the same database.
    pub codes: DynCodeStore,
    /// The object store.
    pub objects: DynObjectStore,
    /// The local object folder, when that is the object store.
    pub local_objects: Option<Arc<LocalDirStore>>,
    /// The notifier.
    pub notifier: DynNotifier,
}

/// Which engine a URL names, for the log (never the URL: it may hold a password).
pub fn engine_name(url: &str) -> &'static str {
    match url.split_once(':').map(|(s, _)| s) {
        Some("sqlite") => "sqlite",
        Some("postgres" | "postgresql") => "postgres",
        Some("mysql" | "mariadb") => "mysql",
        _ => "unknown",
    }
}

/// Opens every backend. Errors are words for the operator at start-up.
pub async fn open(args: &ServeArgs) -> Result<Backends, String> {
    std::fs::create_dir_all(&args.data_dir).map_err(|e| {
        format!(
            "cannot create the data folder {}: {e}",
            args.data_dir.display()
        )
    })?;
    let url = args.database_url();
    let engine = engine_name(&url);
    let mut options = StoreOptions::default();
    if engine != "sqlite" {
        options = options.with_group_commit(args.group_commit.then(GroupCommit::default));
    }
    let sql = Arc::new(
        SqlStore::connect(&url, options)
            .await
            .map_err(|e| format!("cannot open the {engine} ledger store: {e}"))?,
    );
    let store: DynLedgerStore = sql.clone();
    let codes: DynCodeStore = sql;
    tracing::info!(
        engine,
        group_commit = args.group_commit && engine != "sqlite",
        "ledger store open"
    );

    // One endpoint per service: an S3-compatible store and an
    // SNS-compatible server are separate hosts outside AWS.
    let aws = |endpoint: &Option<String>| match endpoint {
        Some(url) => AwsSettings::new().endpoint_url(url.clone()),
        None => AwsSettings::new(),
    };
    let (objects, local_objects): (DynObjectStore, _) = match &args.s3_bucket {
        Some(bucket) => {
            let s3 = S3ObjectStore::builder(bucket.clone())
                .aws(aws(&args.s3_endpoint))
                .key_prefix(args.s3_prefix.clone())
                .path_style(args.s3_endpoint.is_some())
                .build()
                .await
                .map_err(|e| format!("cannot open the S3 object store: {e}"))?;
            tracing::info!(bucket = %bucket, "object store: S3");
            (Arc::new(s3), None)
        }
        None => {
            let dir = args.data_dir.join("objects");
            let local = Arc::new(
                LocalDirStore::open(&dir)
                    .map_err(|e| format!("cannot open the object folder: {e}"))?,
            );
            tracing::info!("object store: local folder");
            (local.clone() as DynObjectStore, Some(local))
        }
    };

    let notifier: DynNotifier = match args.notifier {
        NotifierKind::Log => Arc::new(LogNotifier::new()),
        NotifierKind::Webhook => {
            let url = args
                .webhook_url
                .clone()
                .ok_or("--notifier webhook needs --webhook-url")?;
            let secret = std::env::var("DCMS_WEBHOOK_SECRET")
                .map_err(|_| "--notifier webhook needs DCMS_WEBHOOK_SECRET (whsec_...)")?;
            let secret = WebhookSecret::parse(&secret).map_err(|e| e.to_string())?;
            Arc::new(
                WebhookNotifier::builder(url, secret)
                    .build()
                    .map_err(|e| e.to_string())?,
            )
        }
        NotifierKind::Sns => {
            let topic = args
                .sns_topic_arn
                .clone()
                .ok_or("--notifier sns needs --sns-topic-arn")?;
            Arc::new(
                SnsNotifier::new(topic, &aws(&args.sns_endpoint))
                    .await
                    .map_err(|e| e.to_string())?,
            )
        }
    };
    Ok(Backends {
        store,
        codes,
        objects,
        local_objects,
        notifier,
    })
}
