//! The routes, one file per caller. Each handler is a page of
//! conversions: the extractors have already checked the token, the role,
//! ownership, the body and the idempotency key; the handler calls the core
//! once and renders the result.

pub mod admin;
pub mod customer;
pub mod health;
pub mod objects;
pub mod portal;
pub mod vendor;

use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

/// A write's response: 201 with the body, and `Idempotent-Replayed: true`
/// when the core replayed an earlier request with the same key (the body
/// and status are those of the first response).
pub fn created<T: Serialize>(body: T, replayed: bool) -> Response {
    let mut headers = HeaderMap::new();
    if replayed {
        headers.insert("idempotent-replayed", HeaderValue::from_static("true"));
    }
    (StatusCode::CREATED, headers, axum::Json(body)).into_response()
}
