//! `dcms-local://` pre-signed URLs: an HMAC of the key and expiry with the
//! directory's own signing secret (`presign.key`), checked in constant time.
//!
//! The URL grants the object, not its bytes at rest: [`LocalDirStore::open_presigned`]
//! reads through the store, so a sealed object comes back decrypted and a
//! tampered one is refused like any read.

use chrono::{DateTime, Utc};
use hmac::{Hmac, Mac};
use sha2::Sha256;

use super::LocalDirStore;
use crate::error::{Error, Result};
use crate::object::{check_object_key, PresignedUrl};

/// Scheme of the URLs [`LocalDirStore`] pre-signs.
pub const LOCAL_URL_SCHEME: &str = "dcms-local://";
/// Bytes in the signing secret.
pub(crate) const SECRET_LEN: usize = 32;
/// Name of the signing secret's file under the root.
pub(crate) const SECRET_FILE: &str = "presign.key";
/// Domain separation: a MAC made for something else can never pass as one of ours.
const SIGNING_CONTEXT: &str = "dcms-local-presign-v1";

impl LocalDirStore {
    /// Checks a URL made by [`presign_get`](crate::ObjectStore::presign_get): its
    /// signature (compared in constant time) and that it has not expired at
    /// `now`. Returns the object key it grants.
    ///
    /// A URL that is malformed, tampered with or signed by another directory,
    /// and one that has expired, are [`Error::InvalidInput`] with field
    /// `"pre-signed URL"`; the reason says which.
    pub fn verify_presigned(&self, url: &str, now: DateTime<Utc>) -> Result<String> {
        let bad = |reason: &str| Error::InvalidInput {
            field: "pre-signed URL",
            reason: reason.to_owned(),
        };
        let rest = url
            .strip_prefix(LOCAL_URL_SCHEME)
            .ok_or_else(|| bad("not a dcms-local URL"))?;
        let (key, query) = rest.split_once('?').ok_or_else(|| bad("no query"))?;
        let (mut expires, mut sig) = (None, None);
        for pair in query.split('&') {
            match pair.split_once('=') {
                Some(("expires", v)) if expires.is_none() => expires = Some(v),
                Some(("sig", v)) if sig.is_none() => sig = Some(v),
                _ => return Err(bad("unexpected query parameter")),
            }
        }
        let expires = expires.ok_or_else(|| bad("no expiry"))?;
        let sig = sig.ok_or_else(|| bad("no signature"))?;
        let expires_unix: i64 = expires.parse().map_err(|_| bad("malformed expiry"))?;
        // One spelling per expiry ("+5", "05" are refused): the URL is exactly what was signed.
        if expires != expires_unix.to_string() {
            return Err(bad("malformed expiry"));
        }
        let sig = hex::decode(sig).map_err(|_| bad("malformed signature"))?;
        self.mac(key, expires_unix)?
            .verify_slice(&sig)
            .map_err(|_| bad("signature does not match"))?;
        // Only a signed key and expiry get this far; still refuse an unsafe key.
        check_object_key(key)?;
        if now.timestamp() >= expires_unix {
            return Err(bad("expired"));
        }
        Ok(key.to_owned())
    }

    /// Reads the object a pre-signed URL grants, after
    /// [`verify_presigned`](Self::verify_presigned). For a server that hands
    /// out `dcms-local://` URLs on its own route.
    pub fn open_presigned(&self, url: &str, now: DateTime<Utc>) -> Result<Vec<u8>> {
        let key = self.verify_presigned(url, now)?;
        self.read(&key)
    }

    /// A URL for `key` that expires `secs` seconds from the store's clock.
    pub(crate) fn sign_url(&self, key: &str, secs: u64) -> Result<PresignedUrl> {
        let secs = i64::try_from(secs).unwrap_or(i64::MAX);
        let expires_unix = self.clock.now().timestamp().saturating_add(secs);
        let expires_at = DateTime::from_timestamp(expires_unix, 0)
            .ok_or_else(|| Error::Storage(format!("expiry {expires_unix} is out of range")))?;
        let sig = hex::encode(self.mac(key, expires_unix)?.finalize().into_bytes());
        Ok(PresignedUrl {
            url: format!("{LOCAL_URL_SCHEME}{key}?expires={expires_unix}&sig={sig}"),
            expires_at,
        })
    }

    fn mac(&self, key: &str, expires_unix: i64) -> Result<Hmac<Sha256>> {
        let mut mac = Hmac::<Sha256>::new_from_slice(self.secret.as_ref())
            .map_err(|e| Error::Storage(format!("presign key: {e}")))?;
        mac.update(format!("{SIGNING_CONTEXT}\nGET\n{key}\n{expires_unix}").as_bytes());
        Ok(mac)
    }
}
