//! Pre-signed links of the local object folder. On S3 a link is S3's own;
//! on the embedded default the core signs `dcms-local://<key>?expires=…&sig=…`
//! links, which the server rewrites to `/objects/<key>?…` and serves here
//! after the core checks signature and expiry. The link is the credential:
//! no token is needed, and a tampered or expired link is 403.

use axum::extract::{Path, RawQuery, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use dcms_core::object_local::LOCAL_URL_SCHEME;

use crate::problem::ApiError;
use crate::route_table::RouteTable;
use crate::state::AppState;

/// The route prefix.
const PREFIX: &str = "/objects/";

/// The link a client can open: local links become server paths, others stay.
pub fn public_url(url: &str) -> String {
    match url.strip_prefix(LOCAL_URL_SCHEME) {
        Some(rest) => format!("{PREFIX}{rest}"),
        None => url.to_string(),
    }
}

/// The route (not in the OpenAPI document: a link target, not an API).
pub fn routes(t: RouteTable) -> RouteTable {
    t.unlisted_get(
        "/objects/{*key}",
        open,
        "a pre-signed object link: the link is the credential",
    )
}

async fn open(
    State(s): State<AppState>,
    Path(key): Path<String>,
    RawQuery(query): RawQuery,
) -> Result<Response, ApiError> {
    let local = s
        .local_objects
        .as_ref()
        .ok_or_else(|| ApiError::not_found("objects are served by the object store"))?;
    let url = format!("{LOCAL_URL_SCHEME}{key}?{}", query.unwrap_or_default());
    let now = s.ledger.clock().now();
    let bytes = local.open_presigned(&url, now).map_err(|e| match e {
        dcms_core::Error::InvalidInput { .. } => {
            ApiError::forbidden("the link is not valid or has expired")
        }
        other => ApiError::from(other),
    })?;
    let kind = match key.rsplit_once('.').map(|(_, ext)| ext) {
        Some("txt") => "text/plain; charset=utf-8",
        Some("csv") => "text/csv; charset=utf-8",
        Some("json") => "application/json",
        Some("pdf") => "application/pdf",
        _ => "application/octet-stream",
    };
    let mut resp = (StatusCode::OK, bytes).into_response();
    resp.headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(kind));
    Ok(resp)
}
