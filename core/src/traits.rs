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

// std: `impl<T: RefUnwindSafe + ?Sized, A: Allocator + UnwindSafe>
// UnwindSafe for Rc<T, A>` (and `RefUnwindSafe`), and the same for `Arc`.
// The counts are never left inconsistent by an unwinding panic (every count
// change a user's code could interrupt is restored by a guard, see
// `crate::safety`), so only the value and the allocator matter. The auto
// traits would refuse the local counter's `Cell`s. `Weak` keeps the auto
// traits, as std's does (`rc::Weak` is neither, `sync::Weak` is both).
impl<T, C, A> core::panic::UnwindSafe for Strong<T, C, A>
where
    T: ?Sized + core::panic::RefUnwindSafe,
    C: RawCount,
    A: Allocator + core::panic::UnwindSafe,
{
}

impl<T, C, A> core::panic::RefUnwindSafe for Strong<T, C, A>
where
    T: ?Sized + core::panic::RefUnwindSafe,
    C: RawCount,
    A: Allocator + core::panic::UnwindSafe,
{
}

#[cfg(all(feature = "std", unix))]
impl<T: ?Sized + std::os::fd::AsFd, C: RawCount, A: Allocator> std::os::fd::AsFd
    for Strong<T, C, A>
{
    /// The value's file descriptor (std's `impl AsFd for Rc<T>`/`Arc<T>`).
    ///
    /// # Examples
    ///
    /// ```
    /// # type Rc<T> = weakref_core::Strong<T, weakref_core::count::LocalCount, weakref_core::storage::Global>;
    /// use std::os::fd::AsFd;
    /// let stdout = Rc::new(std::io::stdout());
    /// let _fd = stdout.as_fd();
    /// ```
    #[inline]
    fn as_fd(&self) -> std::os::fd::BorrowedFd<'_> {
        (**self).as_fd()
    }
}

#[cfg(all(feature = "std", unix))]
impl<T: ?Sized + std::os::fd::AsRawFd, C: RawCount, A: Allocator> std::os::fd::AsRawFd
    for Strong<T, C, A>
{
    /// The value's raw file descriptor (std's `impl AsRawFd for
    /// Rc<T>`/`Arc<T>`).
    ///
    /// # Examples
    ///
    /// ```
    /// # type Rc<T> = weakref_core::Strong<T, weakref_core::count::LocalCount, weakref_core::storage::Global>;
    /// use std::os::fd::AsRawFd;
    /// let stdout = Rc::new(std::io::stdout());
    /// assert_eq!(stdout.as_raw_fd(), 1);
    /// ```
    #[inline]
    fn as_raw_fd(&self) -> std::os::fd::RawFd {
        (**self).as_raw_fd()
    }
}

/// std's `impl Read/Write/Seek for Arc<File>`: a shared `File` reads,
/// writes and seeks through `&File` (the position is the operating
/// system's, shared by every handle).
#[cfg(all(
    feature = "std",
    any(target_has_atomic = "ptr", feature = "portable-atomic", weakref_loom)
))]
mod shared_file {
    use std::fs::File;
    use std::io::{self, IoSlice, IoSliceMut, Read, Seek, SeekFrom, Write};

    use crate::count::AtomicCount;
    use crate::storage::Allocator;
    use crate::strong::Strong;

    impl<A: Allocator> Read for Strong<File, AtomicCount, A> {
        /// Reads through `&File`.
        ///
        /// # Examples
        ///
        /// ```no_run
        /// # type Arc<T> = weakref_core::Strong<T, weakref_core::count::AtomicCount, weakref_core::storage::Global>;
        /// use std::io::Read;
        /// let mut file = Arc::new(std::fs::File::open("Cargo.toml")?);
        /// let mut text = String::new();
        /// file.read_to_string(&mut text)?;
        /// # Ok::<(), std::io::Error>(())
        /// ```
        #[inline]
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            (&**self).read(buf)
        }

        #[inline]
        fn read_vectored(&mut self, bufs: &mut [IoSliceMut<'_>]) -> io::Result<usize> {
            (&**self).read_vectored(bufs)
        }

        #[inline]
        fn read_to_end(&mut self, buf: &mut alloc::vec::Vec<u8>) -> io::Result<usize> {
            (&**self).read_to_end(buf)
        }

        #[inline]
        fn read_to_string(&mut self, buf: &mut alloc::string::String) -> io::Result<usize> {
            (&**self).read_to_string(buf)
        }
    }

    impl<A: Allocator> Write for Strong<File, AtomicCount, A> {
        /// Writes through `&File`.
        ///
        /// # Examples
        ///
        /// ```no_run
        /// # type Arc<T> = weakref_core::Strong<T, weakref_core::count::AtomicCount, weakref_core::storage::Global>;
        /// use std::io::Write;
        /// let mut file = Arc::new(std::fs::File::create("log.txt")?);
        /// file.write_all(b"entry\n")?;
        /// # Ok::<(), std::io::Error>(())
        /// ```
        #[inline]
        fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
            (&**self).write(buf)
        }

        #[inline]
        fn write_vectored(&mut self, bufs: &[IoSlice<'_>]) -> io::Result<usize> {
            (&**self).write_vectored(bufs)
        }

        #[inline]
        fn flush(&mut self) -> io::Result<()> {
            (&**self).flush()
        }
    }

    impl<A: Allocator> Seek for Strong<File, AtomicCount, A> {
        /// Seeks through `&File`.
        ///
        /// # Examples
        ///
        /// ```no_run
        /// # type Arc<T> = weakref_core::Strong<T, weakref_core::count::AtomicCount, weakref_core::storage::Global>;
        /// use std::io::{Seek, SeekFrom};
        /// let mut file = Arc::new(std::fs::File::open("Cargo.toml")?);
        /// file.seek(SeekFrom::Start(1))?;
        /// # Ok::<(), std::io::Error>(())
        /// ```
        #[inline]
        fn seek(&mut self, pos: SeekFrom) -> io::Result<u64> {
            (&**self).seek(pos)
        }
    }
}

#[cfg(feature = "alloc")]
impl<T: Default, C: RawCount> Default for core::pin::Pin<Strong<T, C, Global>> {
    /// A pinned handle to `T::default()` (std's `Default for Pin<Rc<T>>`,
    /// Rust 1.91).
    ///
    /// # Examples
    ///
    /// ```
    /// # type Rc<T> = weakref_core::Strong<T, weakref_core::count::LocalCount, weakref_core::storage::Global>;
    /// use core::pin::Pin;
    /// let pinned: Pin<Rc<u8>> = Pin::default();
    /// assert_eq!(*pinned, 0);
    /// ```
    #[inline]
    fn default() -> Self {
        Strong::pin(T::default())
    }
}
