//! `dcms-server dev-keys`: a development signing key, its JWKS, demo
//! vendors and accounts, and tokens for demo identities (an admin, two
//! vendors, two customers), printed as shell `export` lines.
//!
//! The private key stays in `<data dir>/jwt/dev-signing.pk8` (owner-only)
//! and is reused by later runs, so tokens printed earlier keep working;
//! `--rotate` makes a new key (a new `kid`) and keeps the old public key in
//! the JWKS until the next rotation. Production keys come from the
//! program's own identity provider: the server only ever reads public keys.

use std::path::{Path, PathBuf};

use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::signature::{Ed25519KeyPair, KeyPair};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use clap::Args;
use dcms_core::{Currency, Ledger, LedgerConfig, Vendor, VendorId};
use jsonwebtoken::{Algorithm, EncodingKey, Header};

use crate::auth::{Claims, Role};

/// An Ed25519 signing key with its key id.
pub struct DevKey {
    kid: String,
    pkcs8: Vec<u8>,
    public: Vec<u8>,
}

impl std::fmt::Debug for DevKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DevKey")
            .field("kid", &self.kid)
            .finish_non_exhaustive()
    }
}

impl DevKey {
    /// A fresh key.
    pub fn generate() -> Result<Self, String> {
        let doc = Ed25519KeyPair::generate_pkcs8(&SystemRandom::new())
            .map_err(|_| "cannot generate an Ed25519 key".to_string())?;
        let mut id = [0u8; 8];
        getrandom::fill(&mut id).map_err(|e| e.to_string())?;
        Self::from_pkcs8(&format!("dev-{}", hex::encode(id)), doc.as_ref())
    }

    /// A key from its PKCS#8 document.
    pub fn from_pkcs8(kid: &str, der: &[u8]) -> Result<Self, String> {
        let pair =
            Ed25519KeyPair::from_pkcs8(der).map_err(|_| "not an Ed25519 PKCS#8 key".to_string())?;
        Ok(DevKey {
            kid: kid.to_string(),
            pkcs8: der.to_vec(),
            public: pair.public_key().as_ref().to_vec(),
        })
    }

    /// The key id.
    pub fn kid(&self) -> &str {
        &self.kid
    }

    /// The public key as a JWK.
    pub fn jwk(&self) -> serde_json::Value {
        serde_json::json!({
            "kty": "OKP",
            "crv": "Ed25519",
            "x": URL_SAFE_NO_PAD.encode(&self.public),
            "kid": self.kid,
            "alg": "EdDSA",
            "use": "sig",
        })
    }

    /// Signs claims as a compact JWT.
    pub fn sign(&self, claims: &Claims) -> Result<String, String> {
        self.sign_any(claims)
    }

    /// Signs any claims (tests use it for tokens missing a claim).
    pub fn sign_any<T: serde::Serialize>(&self, claims: &T) -> Result<String, String> {
        let mut header = Header::new(Algorithm::EdDSA);
        header.kid = Some(self.kid.clone());
        jsonwebtoken::encode(&header, claims, &EncodingKey::from_ed_der(&self.pkcs8))
            .map_err(|e| e.to_string())
    }
}

/// A JWKS document holding these keys' public halves.
pub fn jwks(keys: &[&DevKey]) -> serde_json::Value {
    serde_json::json!({ "keys": keys.iter().map(|k| k.jwk()).collect::<Vec<_>>() })
}

/// Writes a file readable by its owner only, through a temporary name.
pub fn write_private(path: &Path, bytes: &[u8]) -> Result<(), String> {
    use std::io::Write;
    #[cfg(unix)]
    use std::os::unix::fs::OpenOptionsExt;
    let tmp = path.with_extension("tmp");
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create(true).truncate(true);
    #[cfg(unix)]
    opts.mode(0o600);
    let mut f = opts
        .open(&tmp)
        .map_err(|e| format!("{}: {e}", tmp.display()))?;
    f.write_all(bytes).map_err(|e| e.to_string())?;
    f.sync_all().map_err(|e| e.to_string())?;
    std::fs::rename(&tmp, path).map_err(|e| e.to_string())
}

/// Settings of `dcms-server dev-keys`.
#[derive(Debug, Clone, Args)]
pub struct DevKeysArgs {
    /// Data folder (the same as the server's).
    #[arg(long, env = "DCMS_DATA_DIR", default_value = "dcms-data")]
    pub data_dir: PathBuf,
    /// Ledger database URL (default: SQLite in the data folder).
    #[arg(long, env = "DCMS_DATABASE_URL", hide_env_values = true)]
    pub database_url: Option<String>,
    /// `iss` of the tokens.
    #[arg(long, env = "DCMS_JWT_ISSUER", default_value = "dcms-dev")]
    pub issuer: String,
    /// `aud` of the tokens.
    #[arg(long, env = "DCMS_JWT_AUDIENCE", default_value = "dcms-api")]
    pub audience: String,
    /// Hours the tokens live.
    #[arg(long, default_value_t = 12)]
    pub hours: u64,
    /// Make a new signing key (the old public key stays in the JWKS once).
    #[arg(long)]
    pub rotate: bool,
}

/// Runs `dev-keys`: prints `export DCMS_..._TOKEN=...` lines on stdout.
pub async fn run(args: &DevKeysArgs) -> Result<(), String> {
    let dir = args.data_dir.join("jwt");
    std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let key_path = dir.join("dev-signing.pk8");
    let kid_path = dir.join("dev-signing.kid");
    let old = match (std::fs::read(&key_path), std::fs::read_to_string(&kid_path)) {
        (Ok(der), Ok(kid)) => Some(DevKey::from_pkcs8(kid.trim(), &der)?),
        _ => None,
    };
    let (key, retired) = match old {
        Some(k) if !args.rotate => (k, None),
        old => (DevKey::generate()?, old),
    };
    write_private(&key_path, &key.pkcs8)?;
    write_private(&kid_path, key.kid.as_bytes())?;
    let mut published: Vec<&DevKey> = vec![&key];
    published.extend(retired.as_ref());
    let doc = serde_json::to_vec_pretty(&jwks(&published)).map_err(|e| e.to_string())?;
    write_private(&dir.join("jwks.json"), &doc)?;
    eprintln!("# development key {} written to {}", key.kid, dir.display());

    let url = args.database_url.clone().unwrap_or_else(|| {
        format!(
            "sqlite://{}?mode=rwc",
            args.data_dir.join("ledger.db").display()
        )
    });
    let store = dcms_store::open(&url).await.map_err(|e| e.to_string())?;
    let ledger = Ledger::open(store, LedgerConfig::default())
        .await
        .map_err(|e| e.to_string())?;
    for (id, name, cur, tz) in [
        (
            "corner-shop",
            "Corner Shop",
            "USD",
            chrono_tz::America::New_York,
        ),
        ("tokyo-kiosk", "Tokyo Kiosk", "JPY", chrono_tz::Asia::Tokyo),
    ] {
        let v = Vendor::new(
            VendorId::new(id).map_err(|e| e.to_string())?,
            name,
            Currency::builtin(cur).map_err(|e| e.to_string())?,
            tz,
        );
        match ledger.create_vendor(v).await {
            Ok(_) | Err(dcms_core::Error::DuplicateVendor(_)) => {}
            Err(e) => return Err(e.to_string()),
        }
    }
    let alice = ledger
        .open_account("demo-alice")
        .await
        .map_err(|e| e.to_string())?
        .id;
    let bob = ledger
        .open_account("demo-bob")
        .await
        .map_err(|e| e.to_string())?
        .id;

    let now = jsonwebtoken::get_current_timestamp();
    let claims = |sub: &str, role: Role, account: Option<String>, vendor: Option<&str>| Claims {
        sub: sub.to_string(),
        role,
        account,
        vendor: vendor.map(str::to_string),
        exp: now + args.hours * 3600,
        nbf: now.saturating_sub(5),
        iss: args.issuer.clone(),
        aud: args.audience.clone(),
    };
    let people = [
        ("ADMIN", claims("admin", Role::Admin, None, None)),
        (
            "VENDOR",
            claims(
                "corner-shop-till-1",
                Role::Vendor,
                None,
                Some("corner-shop"),
            ),
        ),
        (
            "VENDOR2",
            claims(
                "tokyo-kiosk-till-1",
                Role::Vendor,
                None,
                Some("tokyo-kiosk"),
            ),
        ),
        (
            "CUSTOMER",
            claims("alice", Role::Customer, Some(alice.to_string()), None),
        ),
        (
            "CUSTOMER2",
            claims("bob", Role::Customer, Some(bob.to_string()), None),
        ),
    ];
    println!("export DCMS_ALICE_ACCOUNT={alice}");
    println!("export DCMS_BOB_ACCOUNT={bob}");
    for (name, c) in &people {
        println!("export DCMS_{name}_TOKEN={}", key.sign(c)?);
    }
    Ok(())
}
