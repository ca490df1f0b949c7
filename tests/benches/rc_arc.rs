//! Placeholder replaced by the Rc/Arc criterion bench.
fn main() {}
