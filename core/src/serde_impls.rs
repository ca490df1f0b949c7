//! `Serialize`/`Deserialize` for [`Strong`] and [`Weak`] (feature `serde`),
//! as serde's own `rc` feature does for std's `Rc`, `Arc` and their `Weak`s.
//!
//! * A `Strong` serializes as its value. Deserializing makes a **new**
//!   block for every handle: sharing is not preserved (two handles to one
//!   value come back as two values, each with strong count 1), and a cycle
//!   through `Strong`s never ends. Heap handles only (`Global`): the value
//!   is deserialized into a `Box` and moved into the block, as serde does.
//! * A `Weak` serializes as an `Option`: the value while it lives, `None`
//!   once it is dead. Deserializing reads (and drops) that `Option` and
//!   gives an empty `Weak::new()`, which never upgrades: serde's behaviour
//!   for std's `Weak`, since nothing else would keep a new value alive.

#[cfg(feature = "alloc")]
use serde::{Deserialize, Deserializer};
use serde::{Serialize, Serializer};

use crate::count::RawCount;
use crate::storage::Allocator;
#[cfg(feature = "alloc")]
use crate::storage::Global;
use crate::strong::Strong;
use crate::weak::Weak;

impl<T: ?Sized + Serialize, C: RawCount, A: Allocator> Serialize for Strong<T, C, A> {
    /// Serializes the value.
    ///
    /// # Examples
    ///
    /// ```
    /// # type Rc<T> = weakref_core::Strong<T, weakref_core::count::LocalCount, weakref_core::storage::Global>;
    /// let shared = Rc::new(vec![1, 2]);
    /// assert_eq!(serde_json::to_string(&shared).unwrap(), "[1,2]");
    /// ```
    #[inline]
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        (**self).serialize(serializer)
    }
}

#[cfg(feature = "alloc")]
impl<'de, T, C: RawCount> Deserialize<'de> for Strong<T, C, Global>
where
    T: ?Sized,
    alloc::boxed::Box<T>: Deserialize<'de>,
{
    /// Deserializes a value into a new block (strong count 1; sharing in
    /// the input is not preserved).
    ///
    /// # Examples
    ///
    /// ```
    /// # type Rc<T> = weakref_core::Strong<T, weakref_core::count::LocalCount, weakref_core::storage::Global>;
    /// let pair: (Rc<str>, Rc<[u8]>) = serde_json::from_str(r#"["a", [1, 2]]"#).unwrap();
    /// assert_eq!((&*pair.0, &pair.1[..]), ("a", &[1, 2][..]));
    /// ```
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        alloc::boxed::Box::<T>::deserialize(deserializer).map(Self::from)
    }
}

impl<T: ?Sized + Serialize, C: RawCount, A: Allocator + Clone> Serialize for Weak<T, C, A> {
    /// Serializes `Some(value)` while the value lives, `None` once it is
    /// dead.
    ///
    /// # Examples
    ///
    /// ```
    /// # type Rc<T> = weakref_core::Strong<T, weakref_core::count::LocalCount, weakref_core::storage::Global>;
    /// let value = Rc::new(5);
    /// let weak = Rc::downgrade(&value);
    /// assert_eq!(serde_json::to_string(&weak).unwrap(), "5");
    /// drop(value);
    /// assert_eq!(serde_json::to_string(&weak).unwrap(), "null");
    /// ```
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.upgrade().serialize(serializer)
    }
}

#[cfg(feature = "alloc")]
impl<'de, T: Deserialize<'de>, C: RawCount> Deserialize<'de> for Weak<T, C, Global> {
    /// Reads an `Option<T>`, drops it, and returns an empty `Weak::new()`
    /// (serde's behaviour for std's `Weak`: a new value would have no
    /// strong handle to keep it alive).
    ///
    /// # Examples
    ///
    /// ```
    /// # type Weak<T> = weakref_core::Weak<T, weakref_core::count::LocalCount, weakref_core::storage::Global>;
    /// let weak: Weak<i32> = serde_json::from_str("5").unwrap();
    /// assert!(weak.upgrade().is_none());
    /// ```
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Option::<T>::deserialize(deserializer)?;
        Ok(Weak::new())
    }
}
