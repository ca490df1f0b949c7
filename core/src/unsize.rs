//! Unsizing on stable Rust: `Strong<T>` → `Strong<dyn Trait>`,
//! `Strong<[T; N]>` → `Strong<[T]>`, and the same for [`Weak`], in place
//! (same block, no reallocation, the counts untouched).
//!
//! Stable Rust has no `CoerceUnsized` for our handles, so the compiler will
//! not write `let x: Rc<dyn Trait> = rc;` for us. What it will do on stable
//! is unsize a *reference* to a struct whose last field is the value:
//! `&Opaque<Button>` → `&Opaque<dyn Listener>`, with the vtable (or slice
//! length) of the value it points to. [`Strong::unsize`] hands a closure an
//! [`Opaque`] view of the value; the closure returns it coerced (its body is
//! just `|v| v`, which the [`unsize!`](crate::unsize!) macro writes), and the
//! handle takes the coerced pointer's metadata onto the same block.
//!
//! # Why a closure cannot forge metadata
//!
//! A closure over *raw* pointers (`|p: *const T| p as *const dyn Trait`)
//! could lie in safe code with the right address and wrong metadata
//! (`p.cast::<u8>() as *const dyn Debug`, or
//! `ptr::slice_from_raw_parts(p.cast::<u8>(), 1 << 20)`), so an address
//! check alone would not be enough. The closure here works on references
//! to [`Opaque`], which safe code cannot forge:
//!
//! * `Opaque` has a private field, no constructor, and no trait that
//!   yields a reference to it or to its contents (no `Deref`, `AsRef`,
//!   `Clone`, `Default`), so no other `&Opaque<_>` exists anywhere, and the
//!   closure cannot reach the value inside;
//! * the closure must accept *any* lifetime `'a` and return a reference
//!   with that lifetime (`for<'a> FnOnce(&'a Opaque<T>) -> &'a Opaque<U>`),
//!   so it cannot keep the reference, nor return one smuggled from another
//!   call;
//! * without `unsafe`, the only ways to turn the one `&'a Opaque<T>` it has
//!   into a `&'a Opaque<U>` are reborrowing and the compiler's unsizing
//!   coercions (array to slice, value to trait object, trait upcasting),
//!   whose metadata the compiler computes from the value's real type.
//!
//! Behind those, [`Strong::unsize`] still checks at run time that the
//! returned reference has the value's address, size and alignment, and
//! panics otherwise: a hole in the argument above would panic, never
//! produce a handle with a pointer that is not the value's.
//!
//! ```compile_fail,E0308
//! # type Rc<T> = weakref_core::Strong<T, weakref_core::count::LocalCount, weakref_core::storage::Global>;
//! use core::fmt::Debug;
//! // Raw-pointer casts do not type-check: the closure must return a reference.
//! let rc = Rc::unsize::<dyn Debug, _>(Rc::new(5u64), |v| {
//!     (v as *const _ as *const u8) as *const dyn Debug
//! });
//! ```
//!
//! ```compile_fail,E0608
//! # type Rc<T> = weakref_core::Strong<T, weakref_core::count::LocalCount, weakref_core::storage::Global>;
//! // The value inside is out of reach, so no shorter slice can be made.
//! let rc = Rc::unsize::<[u8], _>(Rc::new([1u8, 2, 3]), |v| &v[..2]);
//! ```
//!
//! ```compile_fail,E0521
//! # type Rc<T> = weakref_core::Strong<T, weakref_core::count::LocalCount, weakref_core::storage::Global>;
//! use core::fmt::Debug;
//! // The reference cannot be kept for later.
//! let mut kept = None;
//! let rc = Rc::unsize::<dyn Debug, _>(Rc::new(5u64), |v| {
//!     kept = Some(v);
//!     v
//! });
//! ```
//!
//! ```compile_fail,E0521
//! # type Rc<T> = weakref_core::Strong<T, weakref_core::count::LocalCount, weakref_core::storage::Global>;
//! use core::fmt::Debug;
//! // Nor smuggled out of a nested conversion to be returned instead.
//! let rc = Rc::unsize::<dyn Debug, _>(Rc::new(5u64), |_v| {
//!     let mut other = None;
//!     let _six = Rc::unsize::<dyn Debug, _>(Rc::new(6u64), |w| {
//!         other = Some(w);
//!         w
//!     });
//!     other.unwrap()
//! });
//! ```
//!
//! ```compile_fail,E0451
//! use weakref_core::unsize::Opaque;
//! // Nobody outside the crate can make an `Opaque` to return instead.
//! static OTHER: Opaque<u64> = Opaque { value: 6 };
//! ```
//!
//! # The one thing that does not convert
//!
//! A [`Weak`] whose value is already dead (or [`Weak::new`]'s sentinel)
//! cannot be unsized on stable: the coercion needs a reference to a live
//! value, and this crate forms none to a value that is not there (I5).
//! [`Weak::unsize`] gives such a handle back in `Err`. Unsize the strong
//! handle before downgrading (the usual observer pattern does), or keep an
//! `Option<Weak<dyn Trait>>`.

use core::fmt;
use core::ptr::{self, NonNull};

use crate::block::Block;
use crate::count::RawCount;
use crate::storage::Allocator;
use crate::strong::Strong;
use crate::weak::Weak;

/// An opaque view of a handle's value, given to an unsizing closure.
///
/// The only thing safe code can do with a `&Opaque<T>` is coerce it (to
/// `&Opaque<dyn Trait>`, `&Opaque<[E]>` from `&Opaque<[E; N]>`) and hand it
/// back; see the [module docs](self) for why that is what makes
/// [`Strong::unsize`] safe. It has no public constructor.
///
/// # Examples
///
/// ```
/// # type Rc<T> = weakref_core::Strong<T, weakref_core::count::LocalCount, weakref_core::storage::Global>;
/// use weakref_core::unsize::Opaque;
/// let rc: Rc<[u8]> = Rc::unsize(Rc::new([1u8, 2, 3]), |v: &Opaque<[u8; 3]>| -> &Opaque<[u8]> { v });
/// assert_eq!(&*rc, [1, 2, 3]);
/// ```
// `repr(transparent)`: a `*const T` to the value is a `*const Opaque<T>`
// to the same bytes, with the same metadata.
#[repr(transparent)]
pub struct Opaque<T: ?Sized> {
    /// Private: safe code outside the crate can neither build an `Opaque`
    /// nor reach the value inside one.
    value: T,
}

impl<T: ?Sized> fmt::Debug for Opaque<T> {
    /// Prints `Opaque`, never the value.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Opaque")
    }
}

/// The handles [`unsize!`](crate::unsize!) converts: [`Strong`] (always)
/// and [`Weak`] (while its value lives). Sealed.
///
/// # Examples
///
/// ```
/// # type Rc<T> = weakref_core::Strong<T, weakref_core::count::LocalCount, weakref_core::storage::Global>;
/// use weakref_core::unsize::Unsize;
/// let rc = Unsize::unsize::<dyn core::fmt::Display, _>(Rc::new(7), |v| v);
/// assert_eq!(rc.to_string(), "7");
/// ```
pub trait Unsize<T: ?Sized>: Sized + sealed::Sealed {
    /// What a conversion to a handle of `U` gives: `Strong<U, C, A>`, or
    /// `Result<Weak<U, C, A>, Weak<T, C, A>>`.
    type Output<U: ?Sized>;

    /// [`Strong::unsize`] or [`Weak::unsize`].
    fn unsize<U: ?Sized, F>(self, coerce: F) -> Self::Output<U>
    where
        F: for<'a> FnOnce(&'a Opaque<T>) -> &'a Opaque<U>;
}

mod sealed {
    pub trait Sealed {}
}

impl<T: ?Sized, C: RawCount, A: Allocator> sealed::Sealed for Strong<T, C, A> {}
impl<T: ?Sized, C: RawCount, A: Allocator + Clone> sealed::Sealed for Weak<T, C, A> {}

impl<T: ?Sized, C: RawCount, A: Allocator> Unsize<T> for Strong<T, C, A> {
    type Output<U: ?Sized> = Strong<U, C, A>;

    #[inline]
    fn unsize<U: ?Sized, F>(self, coerce: F) -> Strong<U, C, A>
    where
        F: for<'a> FnOnce(&'a Opaque<T>) -> &'a Opaque<U>,
    {
        Strong::unsize(self, coerce)
    }
}

impl<T: ?Sized, C: RawCount, A: Allocator + Clone> Unsize<T> for Weak<T, C, A> {
    type Output<U: ?Sized> = Result<Weak<U, C, A>, Self>;

    #[inline]
    fn unsize<U: ?Sized, F>(self, coerce: F) -> Result<Weak<U, C, A>, Self>
    where
        F: for<'a> FnOnce(&'a Opaque<T>) -> &'a Opaque<U>,
    {
        Weak::unsize(self, coerce)
    }
}

/// Converts a handle to a handle of an unsized type, in place:
/// `unsize!(handle, dyn Trait)`, `unsize!(handle, [T])`.
///
/// Works on [`Strong`] (giving `Strong<U, C, A>`) and [`Weak`] (giving
/// `Result<Weak<U, C, A>, Weak<T, C, A>>`: `Err` if the value is dead), for
/// every counter and allocator; the adapters re-export it
/// (`weakref_std::unsize!`, `weakref_sync::unsize!`). It expands to
/// [`Unsize::unsize`] with the closure `|value| value`: the compiler
/// writes the coercion and rejects a target the value does not coerce to.
/// No `unsafe` in the expansion.
///
/// # Examples
///
/// The observer pattern: listeners kept as weak trait objects.
///
/// ```
/// # type Rc<T> = weakref_core::Strong<T, weakref_core::count::LocalCount, weakref_core::storage::Global>;
/// use weakref_core::unsize;
///
/// trait Listener {
///     fn notify(&self) -> &'static str;
/// }
/// struct Button;
/// impl Listener for Button {
///     fn notify(&self) -> &'static str {
///         "clicked"
///     }
/// }
///
/// let listener: Rc<dyn Listener> = unsize!(Rc::new(Button), dyn Listener);
/// let w = Rc::downgrade(&listener);
/// assert_eq!(w.upgrade().map(|l| l.notify()), Some("clicked"));
///
/// let slice: Rc<[i32]> = unsize!(Rc::new([1, 2, 3]), [i32]);
/// assert_eq!(slice.len(), 3);
/// ```
///
/// A type the value does not coerce to is a compile error:
///
/// ```compile_fail,E0277
/// # type Rc<T> = weakref_core::Strong<T, weakref_core::count::LocalCount, weakref_core::storage::Global>;
/// use weakref_core::unsize;
/// let no: Rc<dyn core::fmt::Display> = unsize!(Rc::new(vec![1]), dyn core::fmt::Display);
/// ```
#[macro_export]
macro_rules! unsize {
    ($handle:expr, $target:ty $(,)?) => {
        $crate::unsize::Unsize::unsize::<$target, _>($handle, |value| value)
    };
}

/// The block at `block`, re-typed to `U` with the metadata `coerce` gives
/// the value: same address, same provenance.
///
/// # Panics
///
/// If the reference `coerce` returns does not have the value's address,
/// size and alignment (see the module docs: safe code cannot make it so;
/// the check is the second line of defence).
///
/// # Safety
///
/// * `block` must point to an allocated block (I1) with the metadata it was
///   built with, and
/// * its value must be initialised and free of `&mut` for the duration of
///   the call: the caller holds a strong count on it (I3, I5).
unsafe fn coerce_block<C, T, U, F>(block: NonNull<Block<C, T>>, coerce: F) -> NonNull<Block<C, U>>
where
    T: ?Sized,
    U: ?Sized,
    F: for<'a> FnOnce(&'a Opaque<T>) -> &'a Opaque<U>,
{
    // SAFETY: the block is allocated (caller, I1).
    let value = unsafe { Block::value_ptr(block) };
    // SAFETY: the caller holds a strong count, so the value is initialised
    // (I3) and nobody holds `&mut` to it (I5); the borrow ends when this
    // function returns, before the caller gives that count up. `Opaque<T>`
    // is `repr(transparent)` over `T`: same bytes, same metadata.
    let view: &Opaque<T> = unsafe { &*(value as *const Opaque<T>) };
    let coerced: &Opaque<U> = coerce(view);
    assert!(
        ptr::addr_eq(coerced, value)
            && size_of_val(coerced) == size_of_val(view)
            && align_of_val(coerced) == align_of_val(view),
        "weakref: an unsizing closure returned another place than the value it was given"
    );
    // The same bytes with `U`'s metadata: the layout is the value's (checked
    // above), so the block's layout and the value's offset in it are too.
    // The pointer takes the block's provenance, not the reference's.
    Block::with_metadata_of(block.cast::<u8>(), ptr::from_ref(coerced) as *const U)
}

impl<T: ?Sized, C: RawCount, A: Allocator> Strong<T, C, A> {
    /// Converts the handle to a handle of an unsized type `U` (a trait
    /// object, or a slice from an array), in place: same block, no
    /// reallocation, the counts unchanged. Stable Rust's stand-in for
    /// std's `let rc: Rc<dyn Trait> = rc;`.
    ///
    /// `coerce` receives an [`Opaque`] view of the value and returns it
    /// coerced: write it as `|v| v` with `U` named
    /// (`Rc::unsize::<dyn Trait, _>(rc, |v| v)`; inference alone would pick
    /// `U = T`), or use the [`unsize!`](crate::unsize!) macro. The [module docs](mod@crate::unsize)
    /// explain why no closure can give wrong metadata.
    ///
    /// # Panics
    ///
    /// If `coerce` panics (the handle is dropped normally), or if it
    /// returns a reference to another place than the one it was given
    /// (which safe code cannot do).
    ///
    /// # Examples
    ///
    /// ```
    /// # type Rc<T> = weakref_core::Strong<T, weakref_core::count::LocalCount, weakref_core::storage::Global>;
    /// use core::any::Any;
    /// let value = Rc::new(5i32);
    /// let any = Rc::unsize::<dyn Any, _>(value, |v| v);
    /// assert_eq!(any.downcast_ref::<i32>(), Some(&5));
    /// ```
    #[must_use = "this returns the converted handle, consuming the original"]
    #[inline]
    pub fn unsize<U: ?Sized, F>(this: Self, coerce: F) -> Strong<U, C, A>
    where
        F: for<'a> FnOnce(&'a Opaque<T>) -> &'a Opaque<U>,
    {
        // SAFETY: `this` is a live strong handle: its block is allocated
        // (I1) with its own metadata, the value initialised (I3), and no
        // `&mut` to it can exist while `this` is shared with the closure's
        // borrow (I5). If `coerce` panics, `this` is dropped as usual.
        let block = unsafe { coerce_block(Strong::as_block(&this), coerce) };
        let (_, alloc) = Strong::into_inner_with_allocator(this);
        // SAFETY: the same block, in the same allocator, with the strong
        // count `this` held handed over; its metadata describes the same
        // initialised value with the same layout (`coerce_block`).
        unsafe { Strong::from_inner_in(block, alloc) }
    }
}

impl<T: ?Sized, C: RawCount, A: Allocator + Clone> Weak<T, C, A> {
    /// Converts the weak handle to a weak handle of an unsized type `U`,
    /// in place, like [`Strong::unsize`] — if the value still lives.
    ///
    /// The coercion needs a reference to the value, which exists only
    /// while the value lives: this upgrades for the duration of the call.
    ///
    /// # Errors
    ///
    /// `Err(self)` if the value is dead or this came from [`Weak::new`].
    ///
    /// # Panics
    ///
    /// As [`Strong::unsize`].
    ///
    /// # Examples
    ///
    /// ```
    /// # type Rc<T> = weakref_core::Strong<T, weakref_core::count::LocalCount, weakref_core::storage::Global>;
    /// # type Weak<T> = weakref_core::Weak<T, weakref_core::count::LocalCount, weakref_core::storage::Global>;
    /// use core::fmt::Display;
    /// let strong = Rc::new(5);
    /// let weak = Weak::unsize::<dyn Display, _>(Rc::downgrade(&strong), |v| v).unwrap();
    /// assert_eq!(weak.upgrade().unwrap().to_string(), "5");
    /// drop(strong);
    /// let dead = Rc::downgrade(&Rc::new(6));
    /// assert!(Weak::unsize::<dyn Display, _>(dead, |v| v).is_err());
    /// ```
    #[inline]
    pub fn unsize<U: ?Sized, F>(self, coerce: F) -> Result<Weak<U, C, A>, Self>
    where
        F: for<'a> FnOnce(&'a Opaque<T>) -> &'a Opaque<U>,
    {
        let Some(alive) = self.upgrade() else {
            return Err(self);
        };
        // SAFETY: `alive` is a live strong handle to our block: allocated
        // (I1), value initialised (I3), no `&mut` while `alive` is shared
        // (I5). If `coerce` panics, both handles are dropped as usual.
        let block = unsafe { coerce_block(Strong::as_block(&alive), coerce) };
        // The value may die here (another thread may have dropped the
        // rest): the block stays, held by our weak count.
        drop(alive);
        let (_, alloc) = self.into_inner_with_allocator();
        // SAFETY: the same block, in the same allocator, with the weak count
        // `self` held handed over; its metadata describes the same value
        // with the same layout (`coerce_block`), dead or alive.
        Ok(unsafe { Weak::from_inner_in(block, alloc) })
    }
}

// Nightly only (`--cfg weakref_coerce_unsized`): std's implicit coercions,
// `let rc: Rc<dyn Trait> = Rc::new(x);`. The compiler coerces the one
// field that mentions `T`, the `NonNull<Block<C, T>>`, exactly as it
// coerces std's `Rc`'s pointer to its `RcInner<T>`: the metadata is the
// value's (or, for `Weak::new`'s sentinel, a valid one for `T` on a
// pointer that every path checks by address before using).
#[cfg(weakref_coerce_unsized)]
impl<T, U, C, A> core::ops::CoerceUnsized<Strong<U, C, A>> for Strong<T, C, A>
where
    T: ?Sized + core::marker::Unsize<U>,
    U: ?Sized,
    C: RawCount,
    A: Allocator,
{
}

#[cfg(weakref_coerce_unsized)]
impl<T, U, C, A> core::ops::CoerceUnsized<Weak<U, C, A>> for Weak<T, C, A>
where
    T: ?Sized + core::marker::Unsize<U>,
    U: ?Sized,
    C: RawCount,
    A: Allocator,
{
}

#[cfg(all(test, feature = "alloc"))]
mod tests {
    use core::fmt::Debug;

    use super::*;
    use crate::count::LocalCount;
    use crate::storage::Global;

    type Rc<T> = Strong<T, LocalCount, Global>;

    /// The runtime check, reached the only way it can be: from inside the
    /// crate, which can build a second `Opaque`.
    #[test]
    #[should_panic = "another place"]
    fn a_closure_returning_another_place_panics() {
        static OTHER: Opaque<u64> = Opaque { value: 6 };
        let _lie: Rc<dyn Debug> = Rc::unsize(Rc::new(5u64), |_| &OTHER as &Opaque<dyn Debug>);
    }

    #[test]
    #[should_panic = "another place"]
    fn a_closure_returning_a_smaller_slice_panics() {
        let _lie: Rc<[u8]> = Rc::unsize(Rc::new([1u8, 2, 3]), |v| {
            // SAFETY: test only: a shorter view of the same array (what safe
            // code cannot make), to reach the size check.
            unsafe {
                &*(ptr::slice_from_raw_parts(ptr::from_ref(v).cast::<u8>(), 2)
                    as *const Opaque<[u8]>)
            }
        });
    }

    /// The nightly coercions: trait objects, slices, a dead `Weak` and
    /// `Weak::new`'s sentinel (which the stable API cannot convert).
    #[cfg(weakref_coerce_unsized)]
    #[test]
    fn coerce_unsized_on_nightly() {
        use alloc::string::ToString;
        type W<T> = Weak<T, LocalCount, Global>;
        let rc: Rc<dyn Debug> = Rc::new(5u8);
        assert_eq!(alloc::format!("{rc:?}"), "5");
        let slice: Rc<[u16]> = Rc::new([1, 2, 3]);
        assert_eq!(slice.len(), 3);
        let weak = Rc::downgrade(&Rc::new(7u32));
        let weak: W<dyn core::fmt::Display> = weak;
        assert!(weak.upgrade().is_none());
        drop(weak);
        let live = Rc::new(8u32);
        let weak = Rc::downgrade(&live);
        let weak: W<dyn core::fmt::Display> = weak;
        assert_eq!(weak.upgrade().unwrap().to_string(), "8");
        let sentinel: W<dyn Debug> = W::<u64>::new();
        assert!(sentinel.upgrade().is_none());
        assert_eq!(sentinel.strong_count(), 0);
        let _ = sentinel.as_ptr();
        drop((sentinel, weak, live, slice, rc));
    }
}
