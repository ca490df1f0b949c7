//! [`WeakFamily`]: the pointer families the weak collections work with —
//! weakref's own handles over any counter, and std's `Rc`/`Weak` and
//! `Arc`/`Weak` ([`StdRc`], [`StdArc`]).

use alloc::rc;
#[cfg(target_has_atomic = "ptr")]
use alloc::sync;
use core::ops::Deref;

use crate::count::RawCount;
use crate::storage::Global;
use crate::{Strong, Weak};

mod private {
    /// Seals [`WeakFamily`](super::WeakFamily): the collections rely on
    /// what its functions report (a dead handle never upgrades again, an
    /// address is the allocation's), so only the families below exist.
    pub trait Sealed {}
}

/// A family of strong and weak reference-counted pointers the weak
/// collections can hold: the `C` parameter of
/// [`WeakValueMap`](super::WeakValueMap), [`WeakKeyMap`](super::WeakKeyMap),
/// [`PtrWeakKeyMap`](super::PtrWeakKeyMap), [`WeakSet`](super::WeakSet) and
/// [`PtrWeakSet`](super::PtrWeakSet).
///
/// Sealed. The families are:
///
/// | `C` | strong handle | weak handle | death tally |
/// |---|---|---|---|
/// | any counter `C: RawCount` (`LocalCount`, `AtomicCount`, ...) | [`Strong<T, C>`](crate::Strong) | [`Weak<T, C>`](crate::Weak) | the counter's ([`RawCount::weak_deaths`]) |
/// | [`StdRc`] | [`std::rc::Rc<T>`](alloc::rc::Rc) | [`std::rc::Weak<T>`](alloc::rc::Weak) | none |
/// | [`StdArc`] | [`std::sync::Arc<T>`](alloc::sync::Arc) | [`std::sync::Weak<T>`](alloc::sync::Weak) | none |
///
/// **With std's handles the garbage bound is weaker.** Nothing counts
/// their deaths, so only the size rule triggers purges (see the
/// [module docs](super#dead-entries-len-and-purging), "Without a tally"):
/// entries, dead or alive, stay below `max(2 × L, with_capacity, 8)` for
/// the `L` live entries the previous purge left, and the allocation is
/// sized for that, but "dead ≤ live + 8 after any insert" holds only
/// relative to `L`, not to the live entries now: after a mass death, the
/// dead entries wait until the table reaches that size again (or an
/// explicit [`purge`](super::WeakValueMap::purge)). weakref's own
/// handles keep the exact bound and skip scans that cannot find anything.
///
/// # Examples
///
/// A weak map over the `Rc` a program already uses:
///
/// ```
/// use std::hash::RandomState;
/// use std::rc::Rc;
/// use weakref_core::collections::{StdRc, WeakValueMap};
///
/// let mut cache: WeakValueMap<&str, String, StdRc, RandomState> = WeakValueMap::default();
/// let ada: Rc<String> = cache.insert_new("ada", "Ada Lovelace".to_owned());
/// let mine = Rc::new("Grace Hopper".to_owned());
/// cache.insert("grace", &mine);
/// assert!(Rc::ptr_eq(&cache.get("ada").unwrap(), &ada));
/// drop(mine);
/// assert!(cache.get("grace").is_none());
/// ```
pub trait WeakFamily: private::Sealed {
    /// The strong handle: it keeps the value alive.
    type Strong<T: ?Sized>: Clone + Deref<Target = T>;
    /// The weak handle the collections store.
    type Weak<T: ?Sized>: Clone;

    /// `value` in a new allocation.
    ///
    /// # Examples
    ///
    /// ```
    /// use weakref_core::collections::{StdRc, WeakFamily};
    /// assert_eq!(*StdRc::new(5), 5);
    /// ```
    fn new<T>(value: T) -> Self::Strong<T>;

    /// A weak handle to `this`'s value (`Rc::downgrade`).
    ///
    /// # Examples
    ///
    /// ```
    /// use weakref_core::collections::{StdRc, WeakFamily};
    /// let strong = StdRc::new(5);
    /// assert!(StdRc::is_alive(&StdRc::downgrade(&strong)));
    /// ```
    fn downgrade<T: ?Sized>(this: &Self::Strong<T>) -> Self::Weak<T>;

    /// A new strong handle, if the value is alive (`Weak::upgrade`).
    ///
    /// # Examples
    ///
    /// ```
    /// use weakref_core::collections::{StdRc, WeakFamily};
    /// let strong = StdRc::new(5);
    /// let weak = StdRc::downgrade(&strong);
    /// assert_eq!(StdRc::upgrade(&weak).as_deref(), Some(&5));
    /// drop(strong);
    /// assert!(StdRc::upgrade(&weak).is_none());
    /// ```
    fn upgrade<T: ?Sized>(weak: &Self::Weak<T>) -> Option<Self::Strong<T>>;

    /// Whether the value is alive (a strong count above 0; a snapshot
    /// where other threads hold handles). Once `false`, never `true` again.
    ///
    /// # Examples
    ///
    /// ```
    /// use weakref_core::collections::{StdRc, WeakFamily};
    /// let strong = StdRc::new(5);
    /// let weak = StdRc::downgrade(&strong);
    /// drop(strong);
    /// assert!(!StdRc::is_alive(&weak));
    /// ```
    fn is_alive<T: ?Sized>(weak: &Self::Weak<T>) -> bool;

    /// The address of `this`'s allocation, the identity the `Ptr…`
    /// collections compare.
    ///
    /// # Examples
    ///
    /// ```
    /// use weakref_core::collections::{StdRc, WeakFamily};
    /// let a = StdRc::new(5);
    /// assert_eq!(StdRc::strong_addr(&a), StdRc::weak_addr(&StdRc::downgrade(&a)));
    /// assert_ne!(StdRc::strong_addr(&a), StdRc::strong_addr(&StdRc::new(5)));
    /// ```
    fn strong_addr<T: ?Sized>(this: &Self::Strong<T>) -> *const ();

    /// The address of the allocation `weak` points to, the same as
    /// [`strong_addr`](Self::strong_addr) of its strong handles; it stays
    /// reserved while the weak handle exists, dead or alive.
    ///
    /// # Examples
    ///
    /// ```
    /// use weakref_core::collections::{StdRc, WeakFamily};
    /// let a = StdRc::new(5);
    /// let weak = StdRc::downgrade(&a);
    /// let addr = StdRc::strong_addr(&a);
    /// drop(a);
    /// assert_eq!(StdRc::weak_addr(&weak), addr);
    /// ```
    fn weak_addr<T: ?Sized>(weak: &Self::Weak<T>) -> *const ();

    /// Starts loading what [`is_alive`](Self::is_alive) reads (a hint; a
    /// no-op for std's handles).
    ///
    /// # Examples
    ///
    /// ```
    /// use weakref_core::collections::{StdRc, WeakFamily};
    /// StdRc::prefetch(&StdRc::downgrade(&StdRc::new(5)));
    /// ```
    fn prefetch<T: ?Sized>(weak: &Self::Weak<T>);

    /// The family's tally of values that died with weak handles left
    /// ([`RawCount::weak_deaths`]); `None` where nothing counts them (std's
    /// handles).
    ///
    /// # Examples
    ///
    /// ```
    /// use weakref_core::collections::{StdRc, WeakFamily};
    /// assert_eq!(StdRc::weak_deaths(), None);
    /// ```
    fn weak_deaths() -> Option<usize>;
}

/// The functions of [`WeakFamily`] that every family forwards to its
/// handles' own methods of the same meaning: `$strong` is the path of the
/// strong pointer type (`new`, `downgrade`, `as_ptr`); the weak handles
/// have `upgrade`, `strong_count` and `as_ptr`.
macro_rules! forwards {
    ($($strong:ident)::+) => {
        #[inline]
        fn new<T>(value: T) -> Self::Strong<T> {
            $($strong)::+::new(value)
        }

        #[inline]
        fn downgrade<T: ?Sized>(this: &Self::Strong<T>) -> Self::Weak<T> {
            $($strong)::+::downgrade(this)
        }

        #[inline]
        fn upgrade<T: ?Sized>(weak: &Self::Weak<T>) -> Option<Self::Strong<T>> {
            weak.upgrade()
        }

        #[inline]
        fn is_alive<T: ?Sized>(weak: &Self::Weak<T>) -> bool {
            weak.strong_count() != 0
        }

        #[inline]
        fn strong_addr<T: ?Sized>(this: &Self::Strong<T>) -> *const () {
            $($strong)::+::as_ptr(this).cast()
        }

        #[inline]
        fn weak_addr<T: ?Sized>(weak: &Self::Weak<T>) -> *const () {
            weak.as_ptr().cast()
        }
    };
}

impl<C: RawCount> private::Sealed for C {}

/// weakref's own handles over the counter `C`, on the heap
/// ([`Global`]): the collections' native family, with the death tally.
impl<C: RawCount> WeakFamily for C {
    type Strong<T: ?Sized> = Strong<T, C, Global>;
    type Weak<T: ?Sized> = Weak<T, C, Global>;

    forwards!(Strong);

    #[inline]
    fn prefetch<T: ?Sized>(weak: &Self::Weak<T>) {
        weak.prefetch();
    }

    #[inline]
    fn weak_deaths() -> Option<usize> {
        C::weak_deaths()
    }
}

/// std's single-threaded family, `std::rc::Rc` and `std::rc::Weak` (from
/// `alloc`), for the weak collections: `WeakValueMap<K, V, StdRc, S>`
/// holds `rc::Weak<V>` and hands out `Rc<V>`. No death tally: see
/// [`WeakFamily`] for the weaker garbage bound.
///
/// # Examples
///
/// ```
/// use std::hash::RandomState;
/// use std::rc::Rc;
/// use weakref_core::collections::{StdRc, WeakKeyMap};
///
/// let mut notes: WeakKeyMap<str, &str, StdRc, RandomState> = WeakKeyMap::default();
/// let page: Rc<str> = Rc::from("/about");
/// notes.insert(&page, "needs review");
/// assert_eq!(notes.get("/about"), Some(&"needs review"));
/// drop(page);
/// assert_eq!(notes.get("/about"), None);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum StdRc {}

/// The `WeakFamily` of std's handles: `$m` is `alloc::rc` or `alloc::sync`,
/// `$ptr` its strong pointer type.
macro_rules! std_family {
    ($family:ident, $m:ident, $ptr:ident) => {
        impl private::Sealed for $family {}

        impl WeakFamily for $family {
            type Strong<T: ?Sized> = $m::$ptr<T>;
            type Weak<T: ?Sized> = $m::Weak<T>;

            forwards!($m::$ptr);

            #[inline]
            fn prefetch<T: ?Sized>(_: &Self::Weak<T>) {}

            #[inline]
            fn weak_deaths() -> Option<usize> {
                None
            }
        }
    };
}

std_family!(StdRc, rc, Rc);

/// std's thread-safe family, `std::sync::Arc` and `std::sync::Weak` (from
/// `alloc`), for the weak collections; they are `Send + Sync` when their
/// contents are. No death tally: see [`WeakFamily`] for the weaker
/// garbage bound.
///
/// # Examples
///
/// ```
/// use std::hash::RandomState;
/// use std::sync::Arc;
/// use weakref_core::collections::{StdArc, WeakSet};
///
/// let mut online: WeakSet<str, StdArc, RandomState> = WeakSet::default();
/// let ada: Arc<str> = Arc::from("ada");
/// online.insert(&ada);
/// std::thread::spawn(move || drop(ada)).join().unwrap();
/// assert!(!online.contains("ada"));
/// ```
#[cfg(target_has_atomic = "ptr")]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum StdArc {}

#[cfg(target_has_atomic = "ptr")]
std_family!(StdArc, sync, Arc);
