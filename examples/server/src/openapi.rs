//! The OpenAPI 3.1 document, generated from the handlers' `#[utoipa::path]`
//! attributes and the wire types: the router and the document are built by
//! the same `routes!` calls, so they cannot drift. Every route goes through
//! [`RouteTable`](crate::route_table::RouteTable), whose list of what it
//! registered a test compares with this document.

use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityScheme};
use utoipa::{Modify, OpenApi};

/// The document's fixed parts.
#[derive(OpenApi)]
#[openapi(
    info(title = "DCMS", description = "Coin change as points: the DCMS example server."),
    modifiers(&BearerAuth),
    components(schemas(crate::problem::Problem)),
    tags(
        (name = "customer", description = "A customer's own account"),
        (name = "vendor", description = "A vendor's tills and back office"),
        (name = "admin", description = "The program's operator"),
        (name = "health", description = "Liveness and readiness"),
    )
)]
pub struct ApiDoc;

/// Adds the bearer-token scheme.
struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, doc: &mut utoipa::openapi::OpenApi) {
        let components = doc.components.get_or_insert_with(Default::default);
        let mut http = Http::new(HttpAuthScheme::Bearer);
        http.bearer_format = Some("JWT".into());
        components.add_security_scheme("bearer", SecurityScheme::Http(http));
    }
}
