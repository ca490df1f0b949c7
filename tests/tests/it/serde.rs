//! The `serde` feature through both adapters: a `Strong` round-trips as
//! its value (sharing is not preserved), a `Weak` as an `Option` (`None`
//! once dead) that deserializes to an empty `Weak::new()`, as serde's
//! `rc` feature does for std's handles.

use std::collections::BTreeMap;

macro_rules! family {
    ($name:ident, $krate:ident, $Rc:ident) => {
        mod $name {
            use super::BTreeMap;
            use $krate::{Weak, $Rc};

            #[test]
            fn strong_round_trips_as_its_value() {
                let a = $Rc::new(vec![1u32, 2, 3]);
                let json = serde_json::to_string(&a).unwrap();
                assert_eq!(json, "[1,2,3]");
                let b: $Rc<Vec<u32>> = serde_json::from_str(&json).unwrap();
                assert_eq!(a, b);
                assert!(!$Rc::ptr_eq(&a, &b));
                assert_eq!(($Rc::strong_count(&b), $Rc::weak_count(&b)), (1, 0));

                let s: $Rc<str> = serde_json::from_str("\"text\"").unwrap();
                assert_eq!(&*s, "text");
                let bytes: $Rc<[u8]> = serde_json::from_str("[1,2]").unwrap();
                assert_eq!(&bytes[..], [1, 2]);
                assert!(serde_json::from_str::<$Rc<u8>>("300").is_err());
            }

            #[test]
            fn sharing_is_not_preserved() {
                let shared = $Rc::new(String::from("x"));
                let pair = ($Rc::clone(&shared), $Rc::clone(&shared));
                let json = serde_json::to_string(&pair).unwrap();
                assert_eq!(json, r#"["x","x"]"#);
                let back: ($Rc<String>, $Rc<String>) = serde_json::from_str(&json).unwrap();
                assert!(!$Rc::ptr_eq(&back.0, &back.1));
                assert_eq!($Rc::strong_count(&back.0), 1);
            }

            #[test]
            fn weak_is_an_option() {
                let value = $Rc::new(7);
                let weak = $Rc::downgrade(&value);
                let mut map = BTreeMap::new();
                map.insert("live", weak.clone());
                assert_eq!(serde_json::to_string(&weak).unwrap(), "7");
                drop(value);
                assert_eq!(serde_json::to_string(&weak).unwrap(), "null");
                assert_eq!(serde_json::to_string(&map).unwrap(), r#"{"live":null}"#);
                assert_eq!(serde_json::to_string(&Weak::<i32>::new()).unwrap(), "null");

                for json in ["7", "null"] {
                    let back: Weak<i32> = serde_json::from_str(json).unwrap();
                    assert!(back.upgrade().is_none());
                    assert_eq!((back.strong_count(), back.weak_count()), (0, 0));
                }
                // The `Option<T>` is still checked.
                assert!(serde_json::from_str::<Weak<u8>>("\"no\"").is_err());
            }
        }
    };
}

family!(rc, weakref_std, Rc);
family!(arc, weakref_sync, Arc);
