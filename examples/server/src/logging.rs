//! Structured logs. A request's span carries its id, method, route
//! template (never the raw path, which may hold an account id), status and
//! latency; account ids are masked to their last 2 digits. Tokens, secrets
//! and redemption codes are never logged.

use tracing_subscriber::EnvFilter;

/// An account id with all but its last 2 digits masked: `****37`.
pub fn mask_account(id: &str) -> String {
    let n = id.chars().count();
    let tail: String = id.chars().skip(n.saturating_sub(2)).collect();
    format!("{}{}", "*".repeat(n.saturating_sub(2)), tail)
}

/// Starts logging to stderr, as JSON lines or as text; `RUST_LOG` filters.
pub fn init(format: &str) {
    let filter = EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn,aws=warn,hyper=warn"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    // A second init (tests) is harmless: the first subscriber stays.
    let _ = if format == "text" {
        builder.try_init()
    } else {
        builder
            .json()
            .flatten_event(true)
            .with_current_span(true)
            .try_init()
    };
}

#[cfg(test)]
mod tests {
    use super::mask_account;

    #[test]
    fn only_the_last_two_digits_show() {
        assert_eq!(mask_account("482137"), "****37");
        assert_eq!(mask_account("7"), "7");
    }
}
