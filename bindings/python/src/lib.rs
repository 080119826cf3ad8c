//! Python bindings of DCMS (being written).
