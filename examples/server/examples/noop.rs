//! A bare axum handler that does nothing: the HTTP floor under the server's
//! figures in `benches/README.md` (`benches/wrk/run.sh` starts it).
//!
//! `cargo run --release -p dcms-server --example noop -- 127.0.0.1:18090`

use axum::routing::post;
use axum::Router;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let addr = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:18090".into());
    let app = Router::new().route("/noop", post(|| async { "" }));
    let listener = tokio::net::TcpListener::bind(&addr).await?;
    println!("noop listening on http://{addr}");
    axum::serve(listener, app).await?;
    Ok(())
}
