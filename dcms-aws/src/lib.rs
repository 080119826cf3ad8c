//! DCMS on AWS (work in progress).
