//! One integration binary (see STYLE.md 3.3): every module runs each
//! scenario against every counter instance through [`for_each_counter!`].

mod adversary;
mod cache;
mod callbacks;
// Shared with core's loom canaries: weakref-core's tests cannot depend on
// this package (it depends on weakref-core), so the file lives in core's.
#[path = "../../../core/tests/common/child.rs"]
mod child;
mod collections;
mod conversions;
mod downcast;
mod dst;
mod make_mut_unsized;
mod model;
mod overflow;
mod panic_safety;
mod pool;
mod raw;
mod recent;
mod serde;
mod std_parity;
mod strong;
mod threads;
mod traits;
mod uninit;
mod unsize;
mod wake;
mod weak;

/// Instantiates generic scenarios `fn name<C: RawCountUnique>()` as tests
/// for the local and atomic counters, for their compact `u32` widths, and
/// for the atomic counter with the wait-free upgrade.
macro_rules! for_each_counter {
    ($($name:ident),* $(,)?) => {
        crate::tests_for!(local: weakref_core::count::LocalCount; $($name),*);
        crate::tests_for!(atomic: weakref_core::count::AtomicCount; $($name),*);
        crate::tests_for!(local_u32: weakref_core::count::LocalCount<u32>; $($name),*);
        crate::tests_for!(atomic_u32: weakref_core::count::AtomicCount<u32>; $($name),*);
        crate::tests_for!(wait_free: weakref_core::count::WaitFreeCount; $($name),*);
    };
}
pub(crate) use for_each_counter;

/// Instantiates generic scenarios `fn name<C: Send + Sync + ...>()`, which
/// share handles between threads, as tests for the two thread-safe
/// counters: the atomic one and the wait-free one.
macro_rules! for_each_sync_counter {
    ($($name:ident),* $(,)?) => {
        crate::tests_for!(sync_atomic: weakref_core::count::AtomicCount; $($name),*);
        crate::tests_for!(sync_wait_free: weakref_core::count::WaitFreeCount; $($name),*);
    };
}
pub(crate) use for_each_sync_counter;

/// `mod $module`: a test per scenario, each instantiated on `$count`.
macro_rules! tests_for {
    ($module:ident: $count:ty; $($name:ident),*) => {
        mod $module {
            $( #[test] fn $name() { super::$name::<$count>(); } )*
        }
    };
}
pub(crate) use tests_for;
