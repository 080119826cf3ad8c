//! The OpenAPI document matches the router: every route of the router is
//! described (a route added with plain `.route(...)` outside the short list
//! of unlisted ones fails here), and every described operation is served.

use std::path::Path;

use reqwest::{Method, StatusCode};

use crate::harness::Server;

/// Routes deliberately outside the document, with their reason in `app.rs`.
const UNLISTED: &[&str] = &["/openapi.json", "/objects/{*key}", "/", "/portal/{file}"];

/// Every `.route("...")`-style registration in the server's source.
fn plain_routes(dir: &Path, out: &mut Vec<(String, String)>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            plain_routes(&path, out);
            continue;
        }
        let text = std::fs::read_to_string(&path).unwrap();
        for call in [
            ".route(",
            ".route_service(",
            ".nest(",
            ".nest_service(",
            ".fallback_service(",
        ] {
            for (i, _) in text.match_indices(call) {
                let rest = &text[i + call.len()..];
                let arg = rest
                    .split(',')
                    .next()
                    .unwrap_or("")
                    .trim()
                    .trim_matches('"')
                    .to_string();
                out.push((path.display().to_string(), arg));
            }
        }
    }
}

/// Handler names listed in `routes!(...)` calls.
fn documented_handlers(dir: &Path) -> usize {
    let mut n = 0;
    for entry in std::fs::read_dir(dir).unwrap() {
        let text = std::fs::read_to_string(entry.unwrap().path()).unwrap();
        for (i, _) in text.match_indices("routes!(") {
            let inner = text[i + 8..].split(')').next().unwrap();
            n += inner.split(',').filter(|s| !s.trim().is_empty()).count();
        }
    }
    n
}

#[tokio::test]
async fn every_route_is_described_and_every_description_is_served() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut plain = Vec::new();
    plain_routes(&src, &mut plain);
    for (file, route) in &plain {
        assert!(
            UNLISTED.contains(&route.as_str()),
            "{file}: route {route} is not in the OpenAPI document (use routes!)"
        );
    }

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
    assert_eq!(
        operations,
        documented_handlers(&src.join("routes")),
        "handlers in routes!() vs operations"
    );
    assert!(operations >= 24, "{operations}");
}
