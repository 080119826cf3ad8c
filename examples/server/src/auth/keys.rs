//! The key ring: verifies a token's signature with the pinned algorithm and
//! a key named by its `kid`, then its claims.
//!
//! Public keys come from a JWKS file. It is re-read on SIGHUP and on a
//! timer; a file that does not parse leaves the keys in force (and says so
//! in the log), so a bad edit never locks everyone out, while a key removed
//! from a good file stops working at the next reload. HS256 with a secret of
//! at least 32 bytes exists for development only.
//!
//! Verifying an EdDSA signature costs tens of microseconds (see
//! `benches/README.md`), so a verified token's claims are kept in a bounded
//! cache keyed by the token's SHA-256 until the token expires; a reload of
//! the keys empties it, so a key rotated out stops working at once.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use jsonwebtoken::jwk::{AlgorithmParameters, EllipticCurve, Jwk, JwkSet};
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use parking_lot::{Mutex, RwLock};
use sha2::{Digest, Sha256};

use super::claims::Claims;
use crate::config::JwtAlg;

/// Longest token accepted, in bytes (larger ones are refused unread).
pub const MAX_TOKEN_BYTES: usize = 4096;

/// Most verified tokens kept (the cache is emptied when it is full).
pub const CACHE_CAPACITY: usize = 16_384;

/// Smallest HS256 secret.
pub const MIN_SECRET_BYTES: usize = 32;

/// Where keys come from.
enum Source {
    /// A JWKS file.
    Jwks(PathBuf),
    /// One shared secret (HS256, development).
    Secret,
}

/// Verifies tokens.
pub struct KeyRing {
    alg: Algorithm,
    source: Source,
    keys: RwLock<Arc<HashMap<String, DecodingKey>>>,
    secret: Option<DecodingKey>,
    validation: Validation,
    /// Verified tokens (by SHA-256) and their claims.
    verified: Mutex<HashMap<[u8; 32], Claims>>,
}

impl std::fmt::Debug for KeyRing {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KeyRing")
            .field("alg", &self.alg)
            .field("keys", &self.keys.read().len())
            .finish_non_exhaustive()
    }
}

/// Why a token was refused (logged; the response only says 401).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal(pub String);

impl KeyRing {
    /// A ring for `alg`: from the JWKS file, or from `secret` for HS256.
    pub fn new(
        alg: JwtAlg,
        jwks: &Path,
        secret: Option<&[u8]>,
        issuer: &str,
        audience: &str,
        leeway_secs: u64,
    ) -> Result<Self, String> {
        let alg = match alg {
            JwtAlg::EdDsa => Algorithm::EdDSA,
            JwtAlg::Es256 => Algorithm::ES256,
            JwtAlg::Rs256 => Algorithm::RS256,
            JwtAlg::Hs256 => Algorithm::HS256,
        };
        let mut validation = Validation::new(alg);
        validation.leeway = leeway_secs;
        validation.validate_nbf = true;
        validation.set_issuer(&[issuer]);
        validation.set_audience(&[audience]);
        validation.set_required_spec_claims(&["exp", "nbf", "iss", "aud"]);
        let (source, secret_key) = if alg == Algorithm::HS256 {
            let secret = secret.ok_or("HS256 needs DCMS_JWT_SECRET")?;
            if secret.len() < MIN_SECRET_BYTES {
                return Err(format!(
                    "DCMS_JWT_SECRET must be at least {MIN_SECRET_BYTES} bytes"
                ));
            }
            let key = DecodingKey::from_secret(secret).map_err(|e| e.to_string())?;
            (Source::Secret, Some(key))
        } else {
            (Source::Jwks(jwks.to_path_buf()), None)
        };
        let ring = KeyRing {
            alg,
            source,
            keys: RwLock::new(Arc::new(HashMap::new())),
            secret: secret_key,
            validation,
            verified: Mutex::new(HashMap::new()),
        };
        ring.reload()?;
        Ok(ring)
    }

    /// The pinned algorithm.
    pub fn algorithm(&self) -> Algorithm {
        self.alg
    }

    /// Re-reads the JWKS file. On error the keys in force stay. Returns
    /// how many keys are in force.
    pub fn reload(&self) -> Result<usize, String> {
        let Source::Jwks(path) = &self.source else {
            return Ok(1);
        };
        let text = std::fs::read_to_string(path)
            .map_err(|e| format!("cannot read the JWKS file {}: {e}", path.display()))?;
        let set: JwkSet = serde_json::from_str(&text)
            .map_err(|e| format!("the JWKS file does not parse: {e}"))?;
        let mut keys = HashMap::new();
        for jwk in &set.keys {
            let Some(kid) = jwk.common.key_id.clone() else {
                continue;
            };
            if !self.fits(jwk) {
                continue;
            }
            if let Ok(key) = DecodingKey::from_jwk(jwk) {
                keys.insert(kid, key);
            }
        }
        let n = keys.len();
        *self.keys.write() = Arc::new(keys);
        // Tokens verified with a key that is gone must be checked again.
        self.verified.lock().clear();
        Ok(n)
    }

    /// Whether a JWK is a public key of the pinned algorithm.
    fn fits(&self, jwk: &Jwk) -> bool {
        if let Some(a) = jwk.common.key_algorithm {
            if format!("{a:?}") != format!("{:?}", self.alg) {
                return false;
            }
        }
        match (&jwk.algorithm, self.alg) {
            (AlgorithmParameters::OctetKeyPair(p), Algorithm::EdDSA) => {
                p.curve == EllipticCurve::Ed25519
            }
            (AlgorithmParameters::EllipticCurve(p), Algorithm::ES256) => {
                p.curve == EllipticCurve::P256
            }
            (AlgorithmParameters::RSA(_), Algorithm::RS256) => true,
            _ => false,
        }
    }

    /// Checks a token, from the cache of verified tokens when it is there
    /// and not yet expired (the same `exp` and leeway as a full check; its
    /// `nbf` passed when it was verified and time only moves on).
    pub fn verify(&self, token: &str) -> Result<Claims, Refusal> {
        if token.len() > MAX_TOKEN_BYTES {
            return Err(Refusal("token too large".into()));
        }
        let digest: [u8; 32] = Sha256::digest(token.as_bytes()).into();
        let now = jsonwebtoken::get_current_timestamp();
        if let Some(claims) = self.verified.lock().get(&digest) {
            if now < claims.exp.saturating_add(self.validation.leeway) {
                return Ok(claims.clone());
            }
        }
        let claims = self.check(token)?;
        let mut cache = self.verified.lock();
        if cache.len() >= CACHE_CAPACITY {
            cache.clear();
        }
        cache.insert(digest, claims.clone());
        Ok(claims)
    }

    /// Checks a token without the cache: size and shape, the pinned
    /// algorithm, the key named by `kid`, the signature, then the claims.
    pub fn check(&self, token: &str) -> Result<Claims, Refusal> {
        let no = |why: &str| Err(Refusal(why.to_string()));
        if token.len() > MAX_TOKEN_BYTES {
            return no("token too large");
        }
        if token.split('.').count() != 3 {
            return no("token is not three segments");
        }
        let header = match jsonwebtoken::decode_header(token) {
            Ok(h) => h,
            Err(_) => return no("token header does not decode (or names an unknown alg)"),
        };
        if header.alg != self.alg {
            return no("token alg is not the pinned algorithm");
        }
        let keys = self.keys.read().clone();
        let key = match (&self.secret, header.kid.as_deref()) {
            (Some(secret), _) => secret,
            (None, Some(kid)) => match keys.get(kid) {
                Some(k) => k,
                None => return no("unknown or rotated-out kid"),
            },
            (None, None) => return no("token names no kid"),
        };
        match jsonwebtoken::decode::<Claims>(token, key, &self.validation) {
            Ok(data) => Ok(data.claims),
            Err(e) => Err(Refusal(format!("token refused: {:?}", e.kind()))),
        }
    }
}
