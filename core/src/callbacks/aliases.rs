//! The adapters' callback aliases, written once: `weakref-std` and
//! `weakref-sync` each invoke [`callback_aliases!`](crate::callback_aliases)
//! with their family, their strong handle and their crate name (for the
//! doc examples).

/// Declares one family's callback aliases (`WeakRef`, `Finalizer`,
/// `WeakMethod`, `Proxy`) and the functions `finalize` and `getweakrefs`,
/// with documentation and examples naming the invoking crate. Used by the
/// adapters; not part of the API.
#[doc(hidden)]
#[macro_export]
macro_rules! callback_aliases {
    (
        family: $family:ty,
        strong: $strong:ident,
        krate: $krate:literal,
        exit: $exit:literal,
        thread_safe: [$($thread_safe:tt)*],
        func_safe: [$($func_safe:tt)*],
    ) => {
        /// A registered weak handle with an optional death callback
        /// (Python's `weakref.ref(obj, callback)`): see
        /// [`weakref_core::callbacks::WeakRef`].
        ///
        /// # Examples
        ///
        /// ```
        /// use std::sync::atomic::{AtomicUsize, Ordering};
        #[doc = concat!("use ", $krate, "::{", stringify!($strong), ", WeakRef};")]
        ///
        /// static DEATHS: AtomicUsize = AtomicUsize::new(0);
        #[doc = concat!("let value = ", stringify!($strong), "::new(\"session\");")]
        /// let r = WeakRef::with_callback(&value, || {
        ///     DEATHS.fetch_add(1, Ordering::Relaxed);
        /// });
        /// assert!(r.is_alive());
        /// drop(value);
        /// assert!(r.upgrade().is_none());
        /// assert_eq!(DEATHS.load(Ordering::Relaxed), 1);
        /// ```
        #[doc(alias = "ref")]
        pub type WeakRef<T, A = Global> = $crate::callbacks::WeakRef<T, $family, A>;

        #[doc = concat!(
            "A function run once when a value dies, on `call()`, or at ",
            $exit,
            " (Python's `weakref.finalize`): see [`weakref_core::callbacks::Finalizer`]. ",
            "Made by [`finalize`]."
        )]
        ///
        /// # Examples
        ///
        /// ```
        #[doc = concat!("use ", $krate, "::{", stringify!($strong), ", finalize};")]
        ///
        #[doc = concat!("let value = ", stringify!($strong), "::new(1);")]
        /// let fin = finalize(&value, || "closed");
        /// assert!(fin.alive());
        /// assert_eq!(fin.call(), Some("closed"));
        /// assert!(!fin.alive());
        /// ```
        pub type Finalizer<T, F, A = Global> = $crate::callbacks::Finalizer<T, F, $family, A>;

        /// A method bound weakly to its receiver (Python's `WeakMethod`):
        /// see [`weakref_core::callbacks::WeakMethod`].
        ///
        /// # Examples
        ///
        /// ```
        #[doc = concat!("use ", $krate, "::{", stringify!($strong), ", WeakMethod};")]
        ///
        #[doc = concat!("let receiver = ", stringify!($strong), "::new(20);")]
        /// let add = WeakMethod::new(&receiver, |n: &i32, x: i32| n + x);
        /// assert_eq!(add.call(22), Some(42));
        /// drop(receiver);
        /// assert_eq!(add.call(22), None);
        /// ```
        pub type WeakMethod<T, F, A = Global> = $crate::callbacks::WeakMethod<T, F, $family, A>;

        /// A weak handle whose accesses fail with [`ReferenceError`] once
        /// the value died (Python's `weakref.proxy`): see
        /// [`weakref_core::callbacks::Proxy`].
        ///
        /// # Examples
        ///
        /// ```
        #[doc = concat!("use ", $krate, "::{", stringify!($strong), ", Proxy, ReferenceError};")]
        ///
        #[doc = concat!("let value = ", stringify!($strong), "::new(String::from(\"abc\"));")]
        /// let proxy = Proxy::new(&value);
        /// assert_eq!(proxy.with(|s| s.len()), Ok(3));
        /// drop(value);
        /// assert_eq!(proxy.with(|s| s.len()), Err(ReferenceError));
        /// ```
        #[doc(alias = "proxy")]
        pub type Proxy<T, A = Global> = $crate::callbacks::Proxy<T, $family, A>;

        /// Registers `func` to run once when the value of `strong` dies
        /// (Python's `weakref.finalize(obj, func)`); see [`Finalizer`].
        /// Dropping the returned handle does not cancel it; `detach()` does.
        ///
        /// # Examples
        ///
        /// ```
        /// use std::sync::atomic::{AtomicBool, Ordering};
        #[doc = concat!("use ", $krate, "::{", stringify!($strong), ", finalize};")]
        ///
        /// static CLOSED: AtomicBool = AtomicBool::new(false);
        #[doc = concat!("let file = ", stringify!($strong), "::new(\"log.txt\");")]
        /// finalize(&file, || CLOSED.store(true, Ordering::Relaxed));
        /// drop(file);
        /// assert!(CLOSED.load(Ordering::Relaxed));
        /// ```
        pub fn finalize<T, F, R, A>(strong: &$strong<T, A>, func: F) -> Finalizer<T, F, A>
        where
            T: ?Sized + $($thread_safe)* 'static,
            F: FnOnce() -> R + $($func_safe)* 'static,
            A: Allocator + Clone + $($thread_safe)* 'static,
        {
            Finalizer::new(strong, func)
        }

        /// The registered handles ([`WeakRef`], [`Proxy`], [`WeakMethod`],
        /// [`Finalizer`]) of a live value, oldest first (Python's
        /// `getweakrefs`); the count of all weak handles is `weak_count`
        /// (`getweakrefcount`).
        ///
        /// # Examples
        ///
        /// ```
        #[doc = concat!("use ", $krate, "::{", stringify!($strong), ", Kind, Proxy, WeakRef, getweakrefs};")]
        ///
        #[doc = concat!("let value = ", stringify!($strong), "::new(1);")]
        /// let _r = WeakRef::new(&value);
        /// let _p = Proxy::new(&value);
        /// let kinds: Vec<Kind> = getweakrefs(&value).iter().map(|r| r.kind()).collect();
        /// assert_eq!(kinds, [Kind::Ref, Kind::Proxy]);
        /// ```
        pub fn getweakrefs<T: ?Sized, A: Allocator>(
            strong: &$strong<T, A>,
        ) -> alloc::vec::Vec<$crate::callbacks::Registration> {
            $crate::callbacks::registrations(strong)
        }
    };
}
