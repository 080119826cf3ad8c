//! Errors as `application/problem+json` (RFC 9457): a status, the core's
//! stable code, a title and a detail a cashier understands. Nothing
//! internal (SQL, file paths, backtraces) is ever put in a response: a
//! storage fault is logged under the request id and answered in general words.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use dcms_core::Error;
use serde::Serialize;
use utoipa::ToSchema;

/// The body of every error response.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Problem {
    /// A URI naming the kind of problem (`urn:dcms:error:<code>`).
    #[serde(rename = "type")]
    pub kind: String,
    /// Short summary of the kind of problem.
    pub title: String,
    /// HTTP status code.
    pub status: u16,
    /// What went wrong with this request.
    pub detail: String,
    /// The stable machine-readable code (the core's `Error::code`).
    pub code: String,
}

/// An error response.
#[derive(Debug, Clone)]
pub struct ApiError {
    status: StatusCode,
    code: &'static str,
    title: &'static str,
    detail: String,
}

impl ApiError {
    /// An error with its parts.
    pub fn new(
        status: StatusCode,
        code: &'static str,
        title: &'static str,
        detail: impl Into<String>,
    ) -> Self {
        ApiError {
            status,
            code,
            title,
            detail: detail.into(),
        }
    }

    /// 400 for a request the server cannot read.
    pub fn bad_request(code: &'static str, detail: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, code, "Bad request", detail)
    }

    /// 401: no valid token (the detail never says which check failed
    /// beyond what helps an honest client).
    pub fn unauthorized(detail: impl Into<String>) -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            "unauthorized",
            "Not signed in",
            detail,
        )
    }

    /// 403: a valid token that may not do this.
    pub fn forbidden(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::FORBIDDEN, "forbidden", "Not allowed", detail)
    }

    /// 404.
    pub fn not_found(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, "not_found", "Not found", detail)
    }

    /// The status.
    pub fn status(&self) -> StatusCode {
        self.status
    }

    /// The stable code.
    pub fn code(&self) -> &'static str {
        self.code
    }
}

/// The HTTP status and title for each core error.
fn classify(e: &Error) -> (StatusCode, &'static str) {
    match e {
        Error::InvalidAmount { .. }
        | Error::UnknownCurrency(_)
        | Error::InvalidInput { .. }
        | Error::InvalidAccountId { .. }
        | Error::InvalidCursor(_) => (StatusCode::BAD_REQUEST, "Invalid request"),
        Error::UnknownAccount(_)
        | Error::UnknownVendor(_)
        | Error::UnknownTransaction(_)
        | Error::ObjectNotFound(_) => (StatusCode::NOT_FOUND, "Not found"),
        Error::DuplicateVendor(_) | Error::AlreadyClosed(_) | Error::HoldNotOpen { .. } => {
            (StatusCode::CONFLICT, "Conflict")
        }
        // IETF httpapi idempotency draft: a key reused with another payload is 422.
        Error::IdempotencyConflict { .. } => (
            StatusCode::UNPROCESSABLE_ENTITY,
            "Idempotency key reused for another request",
        ),
        Error::InsufficientCash { .. }
        | Error::InsufficientPoints { .. }
        | Error::LimitExceeded { .. }
        | Error::NotReversible { .. }
        | Error::CodeRefused { .. } => (StatusCode::UNPROCESSABLE_ENTITY, "Refused"),
        Error::AccountIdsExhausted { .. } | Error::Unsupported(_) | Error::NotifyFailed(_) => {
            (StatusCode::UNPROCESSABLE_ENTITY, "Cannot be done")
        }
        Error::StorageUnavailable(_) => (StatusCode::SERVICE_UNAVAILABLE, "Try again"),
        _ => (StatusCode::INTERNAL_SERVER_ERROR, "Internal error"),
    }
}

impl From<Error> for ApiError {
    fn from(e: Error) -> Self {
        let (status, title) = classify(&e);
        let detail = match &e {
            // Storage text may hold SQL or paths: log it, say something general.
            Error::StorageUnavailable(_) => {
                tracing::warn!(code = e.code(), error = %e, "storage unavailable");
                "the ledger is not reachable just now; retry with the same Idempotency-Key"
                    .to_string()
            }
            Error::NotifyFailed(_) | Error::Unsupported(_) => {
                tracing::warn!(code = e.code(), error = %e, "backend refused");
                "a backend could not do this; see the server log".to_string()
            }
            _ if status.is_server_error() => {
                tracing::error!(code = e.code(), error = %e, "internal error");
                "something went wrong on the server; it has been logged".to_string()
            }
            _ => e.to_string(),
        };
        ApiError {
            status,
            code: e.code(),
            title,
            detail,
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = Problem {
            kind: format!("urn:dcms:error:{}", self.code),
            title: self.title.to_string(),
            status: self.status.as_u16(),
            detail: self.detail,
            code: self.code.to_string(),
        };
        let mut resp = (self.status, axum::Json(body)).into_response();
        resp.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/problem+json"),
        );
        if self.status == StatusCode::UNAUTHORIZED {
            resp.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Bearer realm=\"dcms\""),
            );
        }
        resp
    }
}

/// Handler results.
pub type ApiResult<T> = Result<T, ApiError>;

/// Turns an error response that is not yet problem+json (a rejection
/// written by axum itself: a path or query that does not parse, an
/// unsupported method) into one, so every error a client sees has the same
/// shape. The text axum wrote says what was wrong with the request and
/// nothing about the server, so it becomes the detail.
pub async fn problem_everywhere(resp: Response) -> Response {
    let status = resp.status();
    let is_problem = resp
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(b"application/problem+json"));
    if !(status.is_client_error() || status.is_server_error()) || is_problem {
        return resp;
    }
    let (code, title) = match status {
        StatusCode::NOT_FOUND => ("not_found", "Not found"),
        StatusCode::METHOD_NOT_ALLOWED => ("method_not_allowed", "Method not allowed"),
        StatusCode::PAYLOAD_TOO_LARGE => ("body_too_large", "Body too large"),
        StatusCode::UNSUPPORTED_MEDIA_TYPE => ("unsupported_media_type", "Unsupported media type"),
        s if s.is_server_error() => ("internal", "Internal error"),
        _ => ("bad_request", "Bad request"),
    };
    let detail = if status.is_server_error() {
        "something went wrong on the server; it has been logged".to_string()
    } else {
        let bytes = axum::body::to_bytes(resp.into_body(), 4096)
            .await
            .unwrap_or_default();
        let text = String::from_utf8_lossy(&bytes)
            .chars()
            .take(300)
            .collect::<String>();
        if text.trim().is_empty() {
            title.to_string()
        } else {
            text
        }
    };
    ApiError::new(status, code, title, detail).into_response()
}
