//! What checking a token costs: the full check (EdDSA signature, then the
//! claims) and a hit in the key ring's cache of verified tokens. Figures in
//! `benches/README.md`.
//!
//! `cargo run --release -p dcms-server --example verify_cost`

use std::time::Instant;

use dcms_server::auth::{Claims, KeyRing, Role};
use dcms_server::config::JwtAlg;
use dcms_server::devkeys::{jwks, DevKey};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let key = DevKey::generate()?;
    let dir = std::env::temp_dir().join(format!("dcms-verify-cost-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let path = dir.join("jwks.json");
    std::fs::write(&path, serde_json::to_vec(&jwks(&[&key]))?)?;
    let ring = KeyRing::new(JwtAlg::EdDsa, &path, None, "dcms-dev", "dcms-api", 30)?;
    let now = jsonwebtoken::get_current_timestamp();
    let token = key.sign(&Claims {
        sub: "till-1".into(),
        role: Role::Vendor,
        account: None,
        vendor: Some("corner-shop".into()),
        exp: now + 3600,
        nbf: now,
        iss: "dcms-dev".into(),
        aud: "dcms-api".into(),
    })?;
    let n = 20_000u32;
    let t = Instant::now();
    for _ in 0..n {
        ring.check(&token).map_err(|r| r.0)?;
    }
    let full = t.elapsed() / n;
    ring.verify(&token).map_err(|r| r.0)?;
    let t = Instant::now();
    for _ in 0..n {
        ring.verify(&token).map_err(|r| r.0)?;
    }
    let cached = t.elapsed() / n;
    println!("full check (EdDSA + claims): {full:?} per token; cache hit: {cached:?} per token");
    std::fs::remove_dir_all(&dir)?;
    Ok(())
}
