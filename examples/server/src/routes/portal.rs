//! The customer portal: three static files compiled into the binary. The
//! page is served with a strict Content-Security-Policy (scripts and styles
//! from this origin only, no inline script, `frame-ancestors 'none'`), and
//! keeps the customer's token in a JavaScript variable only: never in
//! `localStorage`, `sessionStorage` or a cookie.

use axum::extract::Path;
use axum::http::{header, HeaderName, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};

use crate::problem::ApiError;
use crate::route_table::RouteTable;

/// The portal page's policy.
pub const CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

const INDEX: &str = include_str!("../../portal/index.html");
const APP_JS: &str = include_str!("../../portal/app.js");
const APP_CSS: &str = include_str!("../../portal/app.css");

/// The portal's routes (not in the OpenAPI document: pages, not API).
pub fn routes(t: RouteTable) -> RouteTable {
    t.unlisted_get("/", index, "the customer portal's page")
        .unlisted_get(
            "/portal/{file}",
            asset,
            "the customer portal's script and style",
        )
}

fn page(kind: &'static str, body: &'static str) -> Response {
    let mut resp = (StatusCode::OK, body).into_response();
    let h = resp.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(kind));
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(CSP),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    h.insert(
        HeaderName::from_static("cross-origin-opener-policy"),
        HeaderValue::from_static("same-origin"),
    );
    resp
}

async fn index() -> Response {
    page("text/html; charset=utf-8", INDEX)
}

async fn asset(Path(file): Path<String>) -> Result<Response, ApiError> {
    match file.as_str() {
        "app.js" => Ok(page("text/javascript; charset=utf-8", APP_JS)),
        "app.css" => Ok(page("text/css; charset=utf-8", APP_CSS)),
        _ => Err(ApiError::not_found("no such file")),
    }
}
