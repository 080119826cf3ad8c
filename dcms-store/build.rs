//! Rebuilds the crate when a migration changes: `sqlx::migrate!` embeds the
//! files in `migrations/` at compile time, and cargo does not otherwise know
//! that a new or edited `.sql` file there is an input of this crate.

fn main() {
    println!("cargo:rerun-if-changed=migrations");
}
