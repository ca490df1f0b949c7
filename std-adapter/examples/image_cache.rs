//! The seed's walkthrough, step by step, in Rust: Python's
//!
//! ```python
//! large_image = Image('hello_kitty.png')        # 600 x 1200
//! data = {'hello_kitty.png': large_image}
//! del large_image                               # still alive: data holds it
//! data = weakref.WeakValueDictionary()
//! data['hello_kitty.png'] = large_image
//! list(data.items())                            # one entry
//! del large_image
//! list(data.items())                            # []: the entry went by itself
//! wref = weakref.ref(large_image)
//! wref() is large_image                         # True
//! del large_image
//! wref()                                        # None
//! ```
//!
//! and, last, what Python's module leaves to you: an image closed and opened
//! again a moment later is not decoded twice, with a `WeakLruCache` that also
//! keeps the most recently used images alive.
//!
//! Run with `cargo run -p weakref-std --example image_cache`.

use core::fmt;
use std::collections::HashMap;
use std::hash::RandomState;

use weakref_core::collections::WeakLruCache;
use weakref_core::count::LocalCount;
use weakref_std::{PtrWeakKeyMap, Rc, WeakValueMap};

/// A decoded image: 600 × 1200 pixels, one byte each.
struct Image {
    name: &'static str,
    pixels: Vec<u8>,
}

impl Image {
    fn load(name: &'static str) -> Image {
        Image {
            name,
            pixels: vec![0x7f; 600 * 1200],
        }
    }
}

impl fmt::Debug for Image {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "<Image {} ({} bytes)>", self.name, self.pixels.len())
    }
}

impl Drop for Image {
    fn drop(&mut self) {
        println!(
            "    (image {} dropped: {} bytes freed)",
            self.name,
            self.pixels.len()
        );
    }
}

fn main() {
    println!("large_image = Image('hello_kitty.png')");
    let large_image = Rc::new(Image::load("hello_kitty.png"));

    println!("data = {{'hello_kitty.png': large_image}}  (an ordinary map)");
    let mut data: HashMap<&str, Rc<Image>> = HashMap::new();
    data.insert("hello_kitty.png", Rc::clone(&large_image));
    println!("del large_image");
    drop(large_image);
    println!(
        "    the map still holds it: {:?}",
        data.get("hello_kitty.png")
    );
    println!("del data");
    drop(data);

    println!();
    println!("large_image = Image('hello_kitty.png')");
    let large_image = Rc::new(Image::load("hello_kitty.png"));
    println!("data = WeakValueDictionary(); data['hello_kitty.png'] = large_image");
    let mut data: WeakValueMap<&str, Image> = WeakValueMap::new();
    data.insert("hello_kitty.png", &large_image);
    println!("list(data.items())");
    println!("    {:?}", data.iter().collect::<Vec<_>>());
    println!("del large_image");
    drop(large_image);
    println!("list(data.items())");
    println!(
        "    {:?}  (the entry went with the image)",
        data.iter().collect::<Vec<_>>()
    );

    println!();
    println!("large_image = Image('hello_kitty.png')");
    let large_image = Rc::new(Image::load("hello_kitty.png"));
    println!("wref = weakref.ref(large_image)");
    let wref = Rc::downgrade(&large_image);
    println!("    {wref:?}");
    println!("wref() is large_image");
    let same = wref
        .upgrade()
        .is_some_and(|image| Rc::ptr_eq(&image, &large_image));
    println!("    {same}");
    println!("del large_image");
    drop(large_image);
    println!("    {wref:?}");
    println!("wref()");
    println!("    {:?}", wref.upgrade());

    println!();
    println!("large_image = Image('hello_kitty.png')");
    let large_image = Rc::new(Image::load("hello_kitty.png"));
    println!("thumbnails = WeakKeyDictionary(); thumbnails[large_image] = 'thumb_32x64.png'");
    // Python's default `__hash__` is identity: a map keyed by identity.
    let mut thumbnails: PtrWeakKeyMap<Image, &str> = PtrWeakKeyMap::new();
    thumbnails.insert(&large_image, "thumb_32x64.png");
    println!("list(thumbnails.values())");
    println!("    {:?}", thumbnails.values().collect::<Vec<_>>());
    println!("del large_image");
    drop(large_image);
    println!("list(thumbnails.values())");
    println!("    {:?}", thumbnails.values().collect::<Vec<_>>());

    println!();
    println!("images = WeakLruCache::new(2)  (a weak cache that keeps the 2 most recent alive)");
    let images: WeakLruCache<&str, Image, LocalCount, RandomState> = WeakLruCache::new(2);
    let open = |name: &'static str| {
        images.get_or_insert_with(name, || {
            println!("    (decoding {name})");
            Rc::new(Image::load(name))
        })
    };
    println!("show hello_kitty.png, close it");
    drop(open("hello_kitty.png"));
    println!("show hello_kitty.png again");
    let shown = open("hello_kitty.png");
    println!("    {shown:?}  (not decoded twice: the cache held it)");
    drop(shown);
    println!("show a.png and b.png, close them");
    drop(open("a.png"));
    drop(open("b.png"));
    println!(
        "    hello_kitty.png cached: {}",
        images.contains_key("hello_kitty.png")
    );
    println!("images.clear_recent()");
    images.clear_recent();
    println!("    live images: {}", images.live_len());
}
