//! [`LocalPooled`]: a pool per thread, with no atomic instruction to take
//! or give back a slot (feature `std`).
//!
//! How and why: the pool module docs, "Per thread".

use alloc::boxed::Box;
use alloc::vec::Vec;
use core::alloc::Layout;
use core::cell::{Cell, RefCell};
use core::fmt;
use core::marker::PhantomData;
use core::ptr::NonNull;
use std::sync::Mutex;
use std::thread::LocalKey;

use super::PoolKind;
use crate::storage::{AllocError, Allocator};

/// Names one per-thread [`Pool`](super::Pool); implemented by the types
/// [`thread_local_pool!`](crate::thread_local_pool) declares.
///
/// A safe trait: [`LocalPooled`] relies on no promise of its
/// implementations. Whatever [`arena`](Self::arena) and
/// [`arenas`](Self::arenas) return, an arena is owned by at most one
/// thread's [`LocalArena`] or by a spare list of [`Arenas`] at a time (their fields
/// are private to this crate), and only an empty arena changes hands.
///
/// # Examples
///
/// ```
/// use weakref_core::count::LocalCount;
/// use weakref_core::pool::ThreadLocalPool;
/// use weakref_core::thread_local_pool;
///
/// thread_local_pool! {
///     struct Scratch: Pool<[u8; 32], LocalCount, 4>;
/// }
/// assert_eq!(Scratch::with(|pool| pool.capacity()), 4);
/// ```
pub trait ThreadLocalPool: 'static {
    /// The pool type: `Pool<T, C, N, CellFlag>`.
    type Pool: PoolKind + Default + 'static;

    /// This thread's arena (a `thread_local!` the macro declares).
    fn arena() -> &'static LocalKey<LocalArena<Self::Pool>>;

    /// Every arena of this pool, and the spares of exited threads (a
    /// `static` the macro declares).
    fn arenas() -> &'static Arenas<Self::Pool>;

    /// Runs `f` on this thread's pool (taking one for the thread if it has
    /// none yet).
    ///
    /// # Panics
    ///
    /// If the thread is exiting and its pool is closed (from a thread-local
    /// destructor that runs after the pool's).
    ///
    /// # Examples
    ///
    /// ```
    /// use weakref_core::count::LocalCount;
    /// use weakref_core::pool::ThreadLocalPool;
    /// use weakref_core::thread_local_pool;
    ///
    /// thread_local_pool! {
    ///     struct Scratch: Pool<u64, LocalCount, 2>;
    /// }
    /// assert_eq!(Scratch::with(|pool| pool.in_use()), 0);
    /// ```
    fn with<R>(f: impl FnOnce(&Self::Pool) -> R) -> R {
        // The pool is lent for the call only (`f` cannot keep the
        // reference), and only while the arena is open: an open arena is
        // not handed on before this thread exits.
        let pool = Self::arena()
            .try_with(|arena| arena.open(Self::arenas(), register_closer::<Self>))
            .ok()
            .flatten()
            .expect("weakref: this thread's pool is closed (the thread is exiting)");
        f(pool)
    }
}

/// A zero-sized allocator for this thread's pool named by `P`: no atomic
/// instruction to take or give back a slot, and handles one pointer wide.
/// Neither `Send` nor `Sync`, so nothing allocated through it leaves the
/// thread, whatever its counter. Where the memory lives: the [pool module
/// docs](super#per-thread).
///
/// # Examples
///
/// ```
/// use weakref_core::count::LocalCount;
/// use weakref_core::pool::LocalPooled;
/// use weakref_core::{Strong, thread_local_pool};
///
/// thread_local_pool! {
///     struct Nodes: Pool<u64, LocalCount, 2>;
/// }
/// type Rc<T> = Strong<T, LocalCount, LocalPooled<Nodes>>;
/// let a = Rc::try_new_in(1, LocalPooled::new())?;
/// let b = Rc::try_new_in(2, LocalPooled::new())?;
/// assert!(Rc::try_new_in(3, LocalPooled::new()).is_err()); // full
/// let weak = Rc::downgrade(&a);
/// drop(a);
/// assert!(weak.upgrade().is_none());
/// assert_eq!(size_of::<Rc<u64>>(), size_of::<usize>());
/// # drop(b);
/// # Ok::<(), weakref_core::storage::AllocError>(())
/// ```
///
/// A handle on it stays on its thread even with the atomic counter:
///
/// ```compile_fail,E0277
/// use weakref_core::count::{AtomicCount, LocalCount};
/// use weakref_core::pool::LocalPooled;
/// use weakref_core::{Strong, thread_local_pool};
///
/// thread_local_pool! {
///     struct Nodes: Pool<u64, LocalCount, 2>;
/// }
/// fn assert_send<T: Send>() {}
/// assert_send::<Strong<u64, AtomicCount, LocalPooled<Nodes>>>();
/// ```
pub struct LocalPooled<P>(PhantomData<*const P>);

impl<P> LocalPooled<P> {
    /// The allocator (it has no state).
    ///
    /// # Examples
    ///
    /// ```
    /// # use weakref_core::{count::LocalCount, pool::LocalPooled, thread_local_pool};
    /// # thread_local_pool! { struct Nodes: Pool<u64, LocalCount, 2>; }
    /// let alloc = LocalPooled::<Nodes>::new();
    /// # let _ = alloc;
    /// ```
    pub const fn new() -> Self {
        LocalPooled(PhantomData)
    }
}

impl<P> Clone for LocalPooled<P> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<P> Copy for LocalPooled<P> {}

impl<P> Default for LocalPooled<P> {
    fn default() -> Self {
        Self::new()
    }
}

impl<P> fmt::Debug for LocalPooled<P> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("LocalPooled")
    }
}

// SAFETY: clause by clause (allocator-api2's `Allocator` contract):
// * valid blocks until every copy is dropped, and for ever if one is
//   leaked: a block is a slot of an arena, heap memory that is never freed
//   (`LocalArena::open` leaks it). `Pool::take_slot` gives each slot one
//   owner at a time; the arena is used by one thread at a time: the thread
//   whose `LocalArena` holds it, and another only after it went through
//   `Arenas` (a mutex, so the accesses are ordered) when no slot was in
//   use, so no live block of the old thread can be in it.
// * copies are interchangeable: `LocalPooled` has no state.
// * any block may be given back through any copy: `LocalPooled` is neither
//   `Send` nor `Sync`, so neither are the handles that carry it, and a block
//   is given back on the thread that took it, through the same arena (a
//   lying `ThreadLocalPool::arena` that names another arena only makes
//   `Pool::give_back_slot` panic, as the pointer is not one of its slots).
// Caught if broken by: `adversary::pools` (leaked handles outliving their
// thread, pinned and forgotten handles, lying `ThreadLocalPool` impls,
// handles dropped by late thread-local destructors).
unsafe impl<P: ThreadLocalPool> Allocator for LocalPooled<P> {
    #[inline]
    fn allocate(&self, layout: Layout) -> Result<NonNull<[u8]>, AllocError> {
        P::arena()
            .try_with(|arena| arena.allocate(layout, P::arenas(), register_closer::<P>))
            .unwrap_or(Err(AllocError))
    }

    #[inline]
    unsafe fn deallocate(&self, ptr: NonNull<u8>, _layout: Layout) {
        // If the thread-local is gone (OS-key TLS, after its destructor),
        // the slot stays taken: its arena is then never handed on.
        let _ = P::arena().try_with(|arena| arena.give_back(ptr, P::arenas()));
    }
}

/// One thread's claim on an arena of pool `P` (see the [pool module
/// docs](super#per-thread)). No drop glue, so it stays usable during the
/// thread's other thread-local destructors.
///
/// # Examples
///
/// ```
/// use weakref_core::count::LocalCount;
/// use weakref_core::pool::{LocalArena, Pool};
///
/// std::thread_local! {
///     static ARENA: LocalArena<Pool<u64, LocalCount, 4>> = const { LocalArena::new() };
/// }
/// ```
pub struct LocalArena<P: 'static> {
    state: Cell<State<P>>,
}

/// Where a thread's arena is in its life (the table in the module docs).
enum State<P: 'static> {
    Unopened,
    Open(&'static P),
    Closing(&'static P),
    Closed,
}

impl<P> Clone for State<P> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<P> Copy for State<P> {}

impl<P: 'static> LocalArena<P> {
    /// A thread's arena before its first use.
    ///
    /// # Examples
    ///
    /// ```
    /// use weakref_core::count::LocalCount;
    /// use weakref_core::pool::{LocalArena, Pool};
    ///
    /// let arena = LocalArena::<Pool<u8, LocalCount, 1>>::new();
    /// # let _ = arena;
    /// ```
    #[must_use]
    pub const fn new() -> Self {
        LocalArena {
            state: Cell::new(State::Unopened),
        }
    }
}

impl<P: 'static> Default for LocalArena<P> {
    /// [`LocalArena::new`].
    fn default() -> Self {
        Self::new()
    }
}

impl<P: PoolKind + Default + 'static> LocalArena<P> {
    /// The open arena, opening one (a spare, or a new one) on first use;
    /// `None` once the thread is exiting. `register` arranges for
    /// [`close`](Self::close) at thread exit; it returns false when it
    /// cannot (the thread is exiting).
    fn open(&self, arenas: &Arenas<P>, register: fn() -> bool) -> Option<&'static P> {
        match self.state.get() {
            State::Open(pool) => Some(pool),
            State::Unopened => {
                if !register() {
                    return None;
                }
                let pool = arenas.take();
                self.state.set(State::Open(pool));
                Some(pool)
            }
            State::Closing(_) | State::Closed => None,
        }
    }

    /// A slot for `layout` from this thread's arena.
    #[inline]
    fn allocate(
        &self,
        layout: Layout,
        arenas: &Arenas<P>,
        register: fn() -> bool,
    ) -> Result<NonNull<[u8]>, AllocError> {
        match self.state.get() {
            State::Open(pool) => pool.take(layout),
            _ => self.open(arenas, register).ok_or(AllocError)?.take(layout),
        }
    }

    /// Gives back the slot at `ptr`; while closing, the last one hands the
    /// arena on.
    ///
    /// # Panics
    ///
    /// If `ptr` is not a slot of this thread's arena.
    #[inline]
    fn give_back(&self, ptr: NonNull<u8>, arenas: &Arenas<P>) {
        match self.state.get() {
            State::Open(pool) => pool.give_back(ptr),
            State::Closing(pool) => {
                pool.give_back(ptr);
                if pool.slots_in_use() == 0 {
                    self.state.set(State::Closed);
                    arenas.put(pool);
                }
            }
            State::Unopened | State::Closed => {
                panic!("weakref: a block was given back to a pool that did not allocate it")
            }
        }
    }

    /// At thread exit: no new block from this arena; hand it on now if it
    /// is empty, else when its last block is given back.
    fn close(&self, arenas: &Arenas<P>) {
        match self.state.get() {
            State::Open(pool) if pool.slots_in_use() == 0 => {
                self.state.set(State::Closed);
                arenas.put(pool);
            }
            State::Open(pool) => self.state.set(State::Closing(pool)),
            State::Unopened => self.state.set(State::Closed),
            State::Closing(_) | State::Closed => {}
        }
    }
}

impl<P> fmt::Debug for LocalArena<P> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = match self.state.get() {
            State::Unopened => "unopened",
            State::Open(_) => "open",
            State::Closing(_) => "closing",
            State::Closed => "closed",
        };
        f.debug_struct("LocalArena").field("state", &state).finish()
    }
}

/// Every arena of pool `P`: those in use by a thread, and the spares that
/// exited threads left empty for the next threads to take (see the [pool
/// module docs](super#per-thread)). Arenas are never freed; listing every
/// one keeps them reachable from a `static`, so leak checkers (Miri,
/// LeakSanitizer) see them as the process's memory, as a static pool's.
///
/// # Examples
///
/// ```
/// use weakref_core::count::LocalCount;
/// use weakref_core::pool::{Arenas, Pool};
///
/// static ARENAS: Arenas<Pool<u64, LocalCount, 4>> = Arenas::new();
/// assert_eq!(ARENAS.count(), 0);
/// ```
pub struct Arenas<P: 'static> {
    lists: Mutex<Lists<P>>,
}

/// The two lists of [`Arenas`].
struct Lists<P: 'static> {
    /// Every arena made, in order.
    all: Vec<&'static P>,
    /// The arenas no thread uses (each with no slot in use).
    spare: Vec<&'static P>,
}

impl<P: 'static> Arenas<P> {
    /// No arena yet.
    ///
    /// # Examples
    ///
    /// ```
    /// use weakref_core::count::LocalCount;
    /// use weakref_core::pool::{Arenas, Pool};
    ///
    /// let arenas = Arenas::<Pool<u8, LocalCount, 1>>::new();
    /// assert_eq!(arenas.count(), 0);
    /// ```
    #[must_use]
    pub const fn new() -> Self {
        Arenas {
            lists: Mutex::new(Lists {
                all: Vec::new(),
                spare: Vec::new(),
            }),
        }
    }

    /// How many arenas have been made (the most threads that used the pool
    /// at once, plus one per thread that exited with blocks in use).
    ///
    /// # Examples
    ///
    /// ```
    /// use weakref_core::count::LocalCount;
    /// use weakref_core::pool::{LocalPooled, ThreadLocalPool};
    /// use weakref_core::{Strong, thread_local_pool};
    ///
    /// thread_local_pool! {
    ///     struct Nodes: Pool<u64, LocalCount, 2>;
    /// }
    /// let a = Strong::<_, LocalCount, _>::try_new_in(1, LocalPooled::<Nodes>::new())?;
    /// assert_eq!(Nodes::arenas().count(), 1);
    /// # drop(a);
    /// # Ok::<(), weakref_core::storage::AllocError>(())
    /// ```
    pub fn count(&self) -> usize {
        self.lock().all.len()
    }

    /// A spare arena if there is one, else a new one; the caller owns it
    /// now.
    fn take(&self) -> &'static P
    where
        P: Default,
    {
        let mut lists = self.lock();
        if let Some(arena) = lists.spare.pop() {
            return arena;
        }
        let arena: &'static P = Box::leak(Box::default());
        lists.all.push(arena);
        arena
    }

    /// Hands on an arena with no slot in use, which the caller no longer
    /// uses.
    fn put(&self, arena: &'static P) {
        self.lock().spare.push(arena);
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Lists<P>> {
        // The lists are consistent after every push and pop: ignore poison.
        self.lists
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

impl<P: 'static> Default for Arenas<P> {
    /// [`Arenas::new`].
    fn default() -> Self {
        Self::new()
    }
}

// Why unconditionally? `&'static P` is not `Send` when `P` is a cell-flag
// pool (not `Sync`), but the lists only keep arenas, they never use them:
// `all` is only counted, and no arena in `spare` is used by any thread (the
// thread that put it there stopped using it, its `LocalArena` gone to
// `Closed` first, and it had no slot in use). Taking one out under the
// mutex makes the taker its only user, and the mutex orders the old user's
// accesses before the new one's.
//
// SAFETY: the lists are reached only through `take`, `put` and `count`,
// under the mutex; `take` hands each spare arena to one thread.
unsafe impl<P: 'static> Sync for Arenas<P> {}

// SAFETY: as for `Sync`: moving the lists moves no arena's use.
unsafe impl<P: 'static> Send for Arenas<P> {}

impl<P> fmt::Debug for Arenas<P> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let lists = self.lock();
        f.debug_struct("Arenas")
            .field("all", &lists.all.len())
            .field("spare", &lists.spare.len())
            .finish()
    }
}

/// The arenas this thread opened, closed when the thread exits: a
/// thread-local of its own, with a destructor.
struct Closers(RefCell<Vec<fn()>>);

impl Drop for Closers {
    fn drop(&mut self) {
        for close in self.0.take() {
            close();
        }
    }
}

std::thread_local! {
    static CLOSERS: Closers = const { Closers(RefCell::new(Vec::new())) };
}

/// Arranges for `P`'s arena of this thread to be closed at thread exit;
/// false if the thread is already exiting (its closers ran or are running).
fn register_closer<P: ThreadLocalPool + ?Sized>() -> bool {
    fn close<P: ThreadLocalPool + ?Sized>() {
        let _ = P::arena().try_with(|arena| arena.close(P::arenas()));
    }
    CLOSERS
        .try_with(|closers| closers.0.borrow_mut().push(close::<P>))
        .is_ok()
}

/// Declares a zero-sized type naming one **per-thread** [`Pool`](super::Pool)
/// with [`CellFlag`](super::CellFlag)s, for use as
/// [`LocalPooled<Name>`](LocalPooled): each thread has its own pool, and
/// taking or giving back a slot is a plain load and store (a static `Pool`
/// needs a compare-and-swap). With feature `std`.
///
/// `thread_local_pool! { pub struct Name: Pool<T, C, N>; }`.
///
/// # Examples
///
/// ```
/// use weakref_core::count::LocalCount;
/// use weakref_core::pool::{LocalPooled, ThreadLocalPool};
/// use weakref_core::{Strong, thread_local_pool};
///
/// thread_local_pool! {
///     /// Tree nodes of this thread.
///     pub struct Nodes: Pool<[u32; 4], LocalCount, 16>;
/// }
/// let node = Strong::<_, LocalCount, _>::try_new_in([0u32; 4], LocalPooled::<Nodes>::new())?;
/// assert_eq!(Nodes::with(|pool| pool.in_use()), 1);
/// drop(node);
/// assert_eq!(Nodes::with(|pool| pool.in_use()), 0);
/// # Ok::<(), weakref_core::storage::AllocError>(())
/// ```
#[macro_export]
macro_rules! thread_local_pool {
    ($(#[$meta:meta])* $vis:vis struct $name:ident: Pool<$value:ty, $count:ty, $capacity:tt>;) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, Default)]
        $vis struct $name;

        impl $crate::pool::ThreadLocalPool for $name {
            type Pool = $crate::pool::Pool<$value, $count, { $capacity }, $crate::pool::CellFlag>;

            #[inline]
            fn arena() -> &'static ::std::thread::LocalKey<$crate::pool::LocalArena<Self::Pool>> {
                ::std::thread_local! {
                    static ARENA: $crate::pool::LocalArena<
                        $crate::pool::Pool<$value, $count, { $capacity }, $crate::pool::CellFlag>,
                    > = const { $crate::pool::LocalArena::new() };
                }
                &ARENA
            }

            #[inline]
            fn arenas() -> &'static $crate::pool::Arenas<Self::Pool> {
                static ARENAS: $crate::pool::Arenas<
                    $crate::pool::Pool<$value, $count, { $capacity }, $crate::pool::CellFlag>,
                > = $crate::pool::Arenas::new();
                &ARENAS
            }
        }
    };
}
