//! `downcast` for `Strong<dyn Any>` (std's `Rc::downcast`,
//! `Arc::downcast`): back to the concrete type, in place.

use core::any::Any;

use crate::block::Block;
use crate::count::RawCount;
use crate::storage::Allocator;
use crate::strong::Strong;

/// The same `downcast` for each `dyn Any` flavour (std has it for
/// `Rc<dyn Any>` and `Arc<dyn Any + Send + Sync>`; here every counter gets
/// all three, as `Box` has).
macro_rules! downcast {
    ($($any:ty, $example:literal;)*) => {$(
        impl<C: RawCount, A: Allocator> Strong<$any, C, A> {
            /// The handle as a handle of its concrete type `T`, if the value
            /// is a `T`; the handle back otherwise. In place: same block,
            /// counts unchanged (weak handles to the trait object keep
            /// working).
            ///
            /// # Errors
            ///
            /// `Err(self)` if the value is not a `T`.
            ///
            /// # Examples
            ///
            #[doc = $example]
            pub fn downcast<T: Any>(self) -> Result<Strong<T, C, A>, Self> {
                if (*self).is::<T>() {
                    let (block, alloc) = Strong::into_inner_with_allocator(self);
                    // SAFETY: `Any` has one impl, the blanket one for every
                    // `'static` type, so the vtable's `type_id` is the
                    // value's: the value is a `T` (checked just above). The
                    // block was laid out with the vtable's size and
                    // alignment, which are `T`'s, so `Block<C, T>` has the
                    // same layout and value offset; `cast` keeps the address
                    // and provenance and drops the metadata. Same allocator,
                    // and the strong count `self` held is handed over; the
                    // value is initialised (I3).
                    Ok(unsafe { Strong::from_inner_in(block.cast::<Block<C, T>>(), alloc) })
                } else {
                    Err(self)
                }
            }
        }
    )*};
}

downcast! {
    dyn Any,
    "```
# type Rc<T> = weakref_core::Strong<T, weakref_core::count::LocalCount, weakref_core::storage::Global>;
use core::any::Any;
use weakref_core::unsize;

fn print_if_string(value: Rc<dyn Any>) -> Option<Rc<String>> {
    value.downcast::<String>().ok()
}

let my_string = \"Hello World\".to_string();
assert!(print_if_string(unsize!(Rc::new(my_string), dyn Any)).is_some());
let not_a_string = unsize!(Rc::new(0i8), dyn Any);
let back = not_a_string.downcast::<String>().unwrap_err();
assert_eq!(back.downcast::<i8>().ok().as_deref(), Some(&0));
```";
    dyn Any + Send,
    "```
# type Rc<T> = weakref_core::Strong<T, weakref_core::count::LocalCount, weakref_core::storage::Global>;
use core::any::Any;
use weakref_core::unsize;
let value: Rc<dyn Any + Send> = unsize!(Rc::new(5u32), dyn Any + Send);
assert_eq!(*value.downcast::<u32>().unwrap(), 5);
```";
    dyn Any + Send + Sync,
    "```
# type Arc<T> = weakref_core::Strong<T, weakref_core::count::AtomicCount, weakref_core::storage::Global>;
use core::any::Any;
use weakref_core::unsize;
let value: Arc<dyn Any + Send + Sync> = unsize!(Arc::new(5u32), dyn Any + Send + Sync);
let shared = Arc::clone(&value);
std::thread::spawn(move || assert!(shared.is::<u32>())).join().unwrap();
assert_eq!(*value.downcast::<u32>().unwrap(), 5);
```";
}
