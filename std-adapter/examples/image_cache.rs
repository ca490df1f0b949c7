//! The seed's walkthrough: a large image kept alive by an ordinary map, and
//! released as soon as its last strong handle goes when the cache holds it
//! weakly.
//!
//! Run with `cargo run -p weakref-std --example image_cache`.

use std::collections::HashMap;

use weakref_std::{Rc, Weak};

/// A decoded image: 600 × 1200 pixels, one byte each.
struct Image {
    name: String,
    pixels: Vec<u8>,
}

impl Image {
    fn load(name: &str) -> Image {
        Image {
            name: name.to_owned(),
            pixels: vec![0x7f; 600 * 1200],
        }
    }
}

impl Drop for Image {
    fn drop(&mut self) {
        println!(
            "  (dropping image {:?}, freeing {} bytes)",
            self.name,
            self.pixels.len()
        );
    }
}

fn main() {
    println!("An ordinary map keeps its values alive:");
    let mut strong_cache: HashMap<&str, Rc<Image>> = HashMap::new();
    let image = Rc::new(Image::load("sunset.png"));
    strong_cache.insert("sunset.png", Rc::clone(&image));
    println!("  loaded {:?}: {} bytes", image.name, image.pixels.len());
    drop(image);
    println!(
        "  after dropping our handle, the map still holds it: {}",
        strong_cache.contains_key("sunset.png")
    );
    println!(
        "  strong count held by the map: {}",
        Rc::strong_count(&strong_cache["sunset.png"])
    );
    drop(strong_cache);

    println!("A cache of weak handles does not:");
    let mut weak_cache: HashMap<&str, Weak<Image>> = HashMap::new();
    let image = Rc::new(Image::load("sunset.png"));
    weak_cache.insert("sunset.png", Rc::downgrade(&image));
    let cached = weak_cache["sunset.png"]
        .upgrade()
        .expect("alive while `image` is");
    println!(
        "  the weak handle upgrades to the same object: {}",
        Rc::ptr_eq(&cached, &image)
    );
    println!(
        "  strong handles: {}, weak handles: {}",
        Rc::strong_count(&image),
        Rc::weak_count(&image)
    );
    drop(cached);
    println!("  dropping the last strong handle:");
    drop(image);
    let after = weak_cache["sunset.png"].upgrade();
    println!(
        "  the weak handle now upgrades to: {:?}",
        after.map(|i| i.name.clone())
    );
    println!(
        "  a weak handle costs {} bytes; the dead block keeps only its 16-byte header\n  \
         and the value's inline part until the last weak handle goes",
        size_of::<Weak<Image>>()
    );
}
