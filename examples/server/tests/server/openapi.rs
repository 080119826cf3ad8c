//! The OpenAPI document matches the router. axum cannot list a router's
//! routes, so the server adds every route through
//! `dcms_server::route_table::RouteTable`, which records each (method,
//! path) as it registers it. Here that list, taken from the router the
//! server builds, is compared with the `/openapi.json` the real server
//! serves: a route that is served but not described fails (unless it is one
//! of the few unlisted routes below), and so does a described operation the
//! router does not serve or that does not answer on the real server.

use std::collections::BTreeSet;

use dcms_server::route_table::RouteEntry;
use reqwest::{Method, StatusCode};

use crate::harness::Server;

/// Routes deliberately outside the document; the table records why
/// (a page, a link target, the document itself).
const UNLISTED: &[(&str, &str)] = &[
    ("GET", "/"),
    ("GET", "/portal/{file}"),
    ("GET", "/objects/{*key}"),
    ("GET", "/openapi.json"),
];

/// Compares the router's own route list with the described operations.
fn check_table(described: &BTreeSet<(String, String)>) {
    let (_router, table) = dcms_server::app::routes().into_router();
    let key = |e: &RouteEntry| (e.method.to_string(), e.path.clone());
    let mut served = BTreeSet::new();
    let mut unlisted = BTreeSet::new();
    for e in &table {
        match e.unlisted {
            None => served.insert(key(e)),
            Some(why) => {
                let (m, p) = key(e);
                assert!(
                    UNLISTED.contains(&(m.as_str(), p.as_str())),
                    "{m} {p} is served but not in the OpenAPI document ({why}): \
                     add it with RouteTable::described(routes!(...))"
                );
                unlisted.insert(key(e))
            }
        };
    }
    let not_described: Vec<_> = served.difference(described).collect();
    assert!(
        not_described.is_empty(),
        "served but not described: {not_described:?}"
    );
    let not_served: Vec<_> = described.difference(&served).collect();
    assert!(
        not_served.is_empty(),
        "described but not served: {not_served:?}"
    );
    let expected: BTreeSet<(String, String)> = UNLISTED
        .iter()
        .map(|(m, p)| (m.to_string(), p.to_string()))
        .collect();
    assert_eq!(unlisted, expected, "the unlisted routes changed");
    assert_eq!(table.len(), described.len() + UNLISTED.len(), "{table:?}");
}

#[tokio::test]
async fn every_route_is_described_and_every_description_is_served() {
    let s = Server::sqlite().await;
    let r = s.call(Method::GET, "/openapi.json", None, None, None).await;
    assert_eq!(r.status, StatusCode::OK);
    let doc = r.json;
    assert!(
        doc["openapi"].as_str().unwrap().starts_with("3.1"),
        "{}",
        doc["openapi"]
    );
    let paths = doc["paths"].as_object().unwrap();
    let described: BTreeSet<(String, String)> = paths
        .iter()
        .flat_map(|(path, item)| {
            item.as_object()
                .unwrap()
                .keys()
                .map(move |m| (m.to_uppercase(), path.clone()))
        })
        .collect();
    check_table(&described);
    let mut operations = 0;
    for (path, item) in paths {
        for (method, op) in item.as_object().unwrap() {
            operations += 1;
            assert!(
                op["responses"].is_object(),
                "{method} {path} has no responses"
            );
            // Fill path parameters; an unauthenticated call must reach the
            // route (401 for secured ones, 200 for health), never 404/405.
            let concrete = path
                .replace("{account}", "000000")
                .replace("{vendor}", "v")
                .replace("{tx}", "1")
                .replace("{month}", "2026-01");
            let m = Method::from_bytes(method.to_uppercase().as_bytes()).unwrap();
            let got = s.call(m, &concrete, None, None, None).await.status;
            let secured = op.get("security").is_some();
            if secured {
                assert_eq!(got, StatusCode::UNAUTHORIZED, "{method} {path}");
            } else {
                assert_eq!(got, StatusCode::OK, "{method} {path}");
            }
        }
    }
    assert_eq!(operations, described.len());
    assert!(operations >= 24, "{operations}");
}
