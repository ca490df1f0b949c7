//! std's trait impls for [`Strong`]: formatting, comparison and hashing by
//! value, `AsRef`/`Borrow`, `Default`, `Error`, `From<T>`.
//!
//! Everything compares and hashes the *values* (as std's `Rc` does), so two
//! handles to equal values in different blocks are equal; use
//! [`Strong::ptr_eq`] for identity.

use core::borrow::Borrow;
use core::cmp::Ordering;
use core::fmt;
use core::hash::{Hash, Hasher};

use crate::count::RawCount;
use crate::storage::Allocator;
#[cfg(feature = "alloc")]
use crate::storage::Global;
use crate::strong::Strong;

impl<T: ?Sized + fmt::Debug, C: RawCount, A: Allocator> fmt::Debug for Strong<T, C, A> {
    /// The value's `Debug`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&**self, f)
    }
}

impl<T: ?Sized + fmt::Display, C: RawCount, A: Allocator> fmt::Display for Strong<T, C, A> {
    /// The value's `Display`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&**self, f)
    }
}

impl<T: ?Sized, C: RawCount, A: Allocator> fmt::Pointer for Strong<T, C, A> {
    /// The value's address (as `{:p}` of [`Strong::as_ptr`]).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Pointer::fmt(&Strong::as_ptr(self), f)
    }
}

impl<T: ?Sized + PartialEq, C: RawCount, A: Allocator> PartialEq for Strong<T, C, A> {
    /// Compares the values.
    #[inline]
    fn eq(&self, other: &Self) -> bool {
        **self == **other
    }
}

impl<T: ?Sized + Eq, C: RawCount, A: Allocator> Eq for Strong<T, C, A> {}

impl<T: ?Sized + PartialOrd, C: RawCount, A: Allocator> PartialOrd for Strong<T, C, A> {
    /// Compares the values.
    #[inline]
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        (**self).partial_cmp(&**other)
    }
}

impl<T: ?Sized + Ord, C: RawCount, A: Allocator> Ord for Strong<T, C, A> {
    /// Compares the values.
    #[inline]
    fn cmp(&self, other: &Self) -> Ordering {
        (**self).cmp(&**other)
    }
}

impl<T: ?Sized + Hash, C: RawCount, A: Allocator> Hash for Strong<T, C, A> {
    /// Hashes the value.
    #[inline]
    fn hash<H: Hasher>(&self, state: &mut H) {
        (**self).hash(state);
    }
}

impl<T: ?Sized, C: RawCount, A: Allocator> AsRef<T> for Strong<T, C, A> {
    #[inline]
    fn as_ref(&self) -> &T {
        self
    }
}

impl<T: ?Sized, C: RawCount, A: Allocator> Borrow<T> for Strong<T, C, A> {
    #[inline]
    fn borrow(&self) -> &T {
        self
    }
}

impl<T: ?Sized + core::error::Error, C: RawCount, A: Allocator> core::error::Error
    for Strong<T, C, A>
{
    /// The value's `source`.
    fn source(&self) -> Option<&(dyn core::error::Error + 'static)> {
        (**self).source()
    }
}

#[cfg(feature = "alloc")]
impl<T: Default, C: RawCount> Default for Strong<T, C, Global> {
    /// A handle to `T::default()`.
    #[inline]
    fn default() -> Self {
        Self::new(T::default())
    }
}

#[cfg(feature = "alloc")]
impl<T, C: RawCount> From<T> for Strong<T, C, Global> {
    /// Moves `value` into a new block ([`Strong::new`]).
    #[inline]
    fn from(value: T) -> Self {
        Self::new(value)
    }
}
