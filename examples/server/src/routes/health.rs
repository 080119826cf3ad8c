//! Liveness and readiness.

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use dcms_core::TxId;
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_axum::routes;

use crate::problem::{ApiError, ApiResult, Problem};
use crate::route_table::RouteTable;
use crate::state::AppState;

/// Health.
#[derive(Debug, Serialize, ToSchema)]
pub struct Health {
    /// `ok`.
    pub status: String,
}

/// The health routes.
pub fn routes(t: RouteTable) -> RouteTable {
    t.described(routes!(healthz)).described(routes!(readyz))
}

/// The process is up.
#[utoipa::path(get, path = "/healthz", tag = "health", responses((status = 200, body = Health)))]
pub async fn healthz() -> Json<Health> {
    Json(Health {
        status: "ok".into(),
    })
}

/// The ledger store answers.
#[utoipa::path(get, path = "/readyz", tag = "health",
    responses((status = 200, body = Health), (status = 503, body = Problem, content_type = "application/problem+json")))]
pub async fn readyz(State(s): State<AppState>) -> ApiResult<Json<Health>> {
    match s.ledger.store().transaction(TxId(0)).await {
        Ok(_) => Ok(Json(Health {
            status: "ok".into(),
        })),
        Err(e) => {
            tracing::warn!(code = e.code(), "readiness: store unreachable");
            Err(ApiError::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "not_ready",
                "Not ready",
                "the ledger store is not reachable",
            ))
        }
    }
}
