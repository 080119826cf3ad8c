//! A notifier that writes to the log (being written).
