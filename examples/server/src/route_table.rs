//! [`RouteTable`]: the only way a route gets into the server's router, and
//! the list of every (method, path) it added.
//!
//! axum's `Router` cannot list its routes, so a test could only compare the
//! OpenAPI document with the source text. Instead every route module adds
//! its routes to this table, which builds the router and records each
//! route as it goes: an API route through [`RouteTable::described`] (a
//! `routes!(...)` of `#[utoipa::path]` handlers, so its description is made
//! by the same call that registers it), and the few routes that are not API
//! through [`RouteTable::unlisted_get`], each with the reason it is left out
//! of the document. The server test compares [`RouteTable::entries`] with
//! `/openapi.json`: a route that is served but not described fails it.

use std::sync::Arc;

use axum::handler::Handler;
use axum::http::Method;
use axum::routing::get;
use axum::{Json, Router};
use utoipa::openapi::path::PathItem;
use utoipa::openapi::OpenApi;
use utoipa_axum::router::{OpenApiRouter, UtoipaMethodRouter};

use crate::state::AppState;

/// One route the router serves.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RouteEntry {
    /// The HTTP method.
    pub method: Method,
    /// The path as axum and OpenAPI write it, e.g. `/v1/accounts/{account}`.
    pub path: String,
    /// `None` when the OpenAPI document describes this method and path;
    /// otherwise why it is not there.
    pub unlisted: Option<&'static str>,
}

/// Why a method is served on a path whose description lacks it: one
/// `routes!(a, b)` of handlers on different paths serves every handler's
/// method on every path (utoipa-axum registers one method router per path).
pub const SERVED_BESIDE_ANOTHER_PATH: &str =
    "served because routes!() joined handlers of different paths; not described";

/// The router under construction and the list of its routes.
pub struct RouteTable {
    api: OpenApiRouter<AppState>,
    plain: Router<AppState>,
    entries: Vec<RouteEntry>,
}

impl std::fmt::Debug for RouteTable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The routers cannot print themselves usefully; the list says it all.
        f.debug_struct("RouteTable")
            .field("entries", &self.entries)
            .finish_non_exhaustive()
    }
}

/// The methods a path item describes.
fn methods(item: &PathItem) -> Vec<Method> {
    [
        (item.get.is_some(), Method::GET),
        (item.put.is_some(), Method::PUT),
        (item.post.is_some(), Method::POST),
        (item.delete.is_some(), Method::DELETE),
        (item.options.is_some(), Method::OPTIONS),
        (item.head.is_some(), Method::HEAD),
        (item.patch.is_some(), Method::PATCH),
        (item.trace.is_some(), Method::TRACE),
    ]
    .into_iter()
    .filter_map(|(described, method)| described.then_some(method))
    .collect()
}

impl RouteTable {
    /// An empty table over the document's fixed parts (info, tags,
    /// security schemes).
    pub fn new(doc: OpenApi) -> Self {
        RouteTable {
            api: OpenApiRouter::with_openapi(doc),
            plain: Router::new(),
            entries: Vec::new(),
        }
    }

    /// Adds the API routes of one `routes!(...)` call, described by their
    /// handlers' `#[utoipa::path]` attributes.
    pub fn described(mut self, routes: UtoipaMethodRouter<AppState>) -> Self {
        let paths = &routes.1.paths;
        // The method router holds every handler of the call and is
        // registered on each of its paths, so each path serves all of them.
        let mut served: Vec<Method> = Vec::new();
        for method in paths.values().flat_map(methods) {
            if !served.contains(&method) {
                served.push(method);
            }
        }
        for (path, item) in paths {
            let path = if path.is_empty() { "/" } else { path.as_str() };
            let described = methods(item);
            for method in &served {
                let entry = RouteEntry {
                    method: method.clone(),
                    path: path.to_string(),
                    unlisted: (!described.contains(method)).then_some(SERVED_BESIDE_ANOTHER_PATH),
                };
                if !self.entries.contains(&entry) {
                    self.entries.push(entry);
                }
            }
        }
        self.api = self.api.routes(routes);
        self
    }

    /// Adds a GET route that is deliberately not in the OpenAPI document
    /// (a page or a link target, not API), with the reason. Only GET: a
    /// route that takes anything else is API and must be described.
    pub fn unlisted_get<H, T>(mut self, path: &str, handler: H, why: &'static str) -> Self
    where
        H: Handler<T, AppState>,
        T: 'static,
    {
        self.entries.push(RouteEntry {
            method: Method::GET,
            path: path.to_string(),
            unlisted: Some(why),
        });
        self.plain = self.plain.route(path, get(handler));
        self
    }

    /// Every route added so far, in order.
    pub fn entries(&self) -> &[RouteEntry] {
        &self.entries
    }

    /// The router, with `GET /openapi.json` serving the finished document,
    /// and the list of every route it serves.
    pub fn into_router(self) -> (Router<AppState>, Vec<RouteEntry>) {
        let doc = Arc::new(self.api.get_openapi().clone());
        let table = self.unlisted_get(
            "/openapi.json",
            move || async move { Json(doc.as_ref().clone()) },
            "the document itself",
        );
        let (api, _) = table.api.split_for_parts();
        (api.merge(table.plain), table.entries)
    }
}
