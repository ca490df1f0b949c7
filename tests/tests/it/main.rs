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
        mod local {
            $( #[test] fn $name() { super::$name::<weakref_core::count::LocalCount>(); } )*
        }
        mod atomic {
            $( #[test] fn $name() { super::$name::<weakref_core::count::AtomicCount>(); } )*
        }
        mod local_u32 {
            $( #[test] fn $name() { super::$name::<weakref_core::count::LocalCount<u32>>(); } )*
        }
        mod atomic_u32 {
            $( #[test] fn $name() { super::$name::<weakref_core::count::AtomicCount<u32>>(); } )*
        }
        mod wait_free {
            $( #[test] fn $name() { super::$name::<weakref_core::count::WaitFreeCount>(); } )*
        }
    };
}
pub(crate) use for_each_counter;
