//! The router and its layers: request id, trace span, body limit, panic
//! guard, security headers, and problem+json for unknown routes.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use axum::extract::{DefaultBodyLimit, MatchedPath, Request};
use axum::http::{header, HeaderName, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Router;
use tower::ServiceBuilder;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::request_id::{
    MakeRequestId, PropagateRequestIdLayer, RequestId, SetRequestIdLayer,
};
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::trace::{DefaultOnResponse, TraceLayer};
use tracing::Level;
use utoipa::OpenApi;

use crate::openapi::ApiDoc;
use crate::problem::ApiError;
use crate::route_table::RouteTable;
use crate::routes;
use crate::state::AppState;

/// Every route of the server, each added through the [`RouteTable`] so it
/// is either described in the OpenAPI document or listed with the reason
/// it is not (the server test compares the list with `/openapi.json`).
pub fn routes() -> RouteTable {
    let t = RouteTable::new(ApiDoc::openapi());
    let t = routes::health::routes(t);
    let t = routes::customer::routes(t);
    let t = routes::vendor::routes(t);
    let t = routes::admin::routes(t);
    let t = routes::objects::routes(t);
    routes::portal::routes(t)
}

/// Request ids: a per-process random prefix and a counter (unique, cheap,
/// and says nothing about the request).
#[derive(Debug, Clone)]
struct Ids {
    prefix: Arc<str>,
    next: Arc<AtomicU64>,
}

impl MakeRequestId for Ids {
    fn make_request_id<B>(&mut self, _: &axum::http::Request<B>) -> Option<RequestId> {
        let n = self.next.fetch_add(1, Ordering::Relaxed);
        HeaderValue::from_str(&format!("{}-{n}", self.prefix))
            .ok()
            .map(RequestId::new)
    }
}

fn request_span(req: &Request) -> tracing::Span {
    let id = req
        .headers()
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("-");
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map(|m| m.as_str())
        .unwrap_or("unmatched");
    tracing::info_span!(
        "request",
        request_id = %id,
        method = %req.method(),
        route,
        role = tracing::field::Empty,
        account = tracing::field::Empty,
        vendor = tracing::field::Empty,
    )
}

async fn not_found() -> ApiError {
    ApiError::not_found("no such route")
}

async fn method_not_allowed() -> ApiError {
    ApiError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        "method_not_allowed",
        "Method not allowed",
        "this route does not take that method",
    )
}

fn panic_response(_: Box<dyn std::any::Any + Send + 'static>) -> Response {
    tracing::error!("handler panicked");
    ApiError::new(
        StatusCode::INTERNAL_SERVER_ERROR,
        "internal",
        "Internal error",
        "something went wrong on the server; it has been logged",
    )
    .into_response()
}

/// Runs the request, then gives an error response the problem+json shape.
async fn problems(req: Request, next: axum::middleware::Next) -> Response {
    crate::problem::problem_everywhere(next.run(req).await).await
}

/// The whole application.
pub fn app(state: AppState, body_limit: usize) -> Router {
    // Routes come only from the table; what follows adds layers and the
    // fallbacks, never a route.
    let (router, _) = routes().into_router();
    let mut prefix = [0u8; 4];
    // Without randomness the ids are still unique within the process.
    let _ = getrandom::fill(&mut prefix);
    let ids = Ids {
        prefix: hex::encode(prefix).into(),
        next: Arc::new(AtomicU64::new(1)),
    };
    let x_request_id = HeaderName::from_static("x-request-id");
    let layers = ServiceBuilder::new()
        .layer(SetRequestIdLayer::new(x_request_id.clone(), ids))
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(request_span)
                .on_request(())
                .on_response(DefaultOnResponse::new().level(Level::INFO)),
        )
        .layer(PropagateRequestIdLayer::new(x_request_id))
        .layer(axum::middleware::from_fn(problems))
        .layer(CatchPanicLayer::custom(panic_response))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static("default-src 'none'; frame-ancestors 'none'"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CACHE_CONTROL,
            HeaderValue::from_static("no-store"),
        ))
        .layer(DefaultBodyLimit::max(body_limit));
    router
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(axum::middleware::from_fn(problems))
        .layer(layers)
        .with_state(state)
}
