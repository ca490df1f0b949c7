//! An observer list that never keeps its observers alive: a `Button`
//! notifies `Label`s through `WeakMethod`s (Python's `WeakMethod`, the
//! classic fix for "the signal keeps my widget alive"). A label that is
//! dropped stops being called at once, and its death callback removes its
//! slot from the list; a `finalize` says goodbye.
//!
//! Run with `cargo run -p weakref-std --example observer`.

extern crate alloc;

use alloc::rc::Rc as StdRc;
use core::cell::RefCell;

use weakref_std::{Rc, WeakMethod, finalize};

/// A widget that shows text.
struct Label {
    name: &'static str,
}

impl Label {
    fn on_click(&self, event: &'static str) -> String {
        format!("{} saw {event}", self.name)
    }
}

/// What a listener is: a method of a `Label`, bound weakly.
type Listener = WeakMethod<Label, fn(&Label, &'static str) -> String>;

/// A button with a list of weakly bound listeners.
#[derive(Default)]
struct Button {
    listeners: StdRc<RefCell<Vec<(u64, Listener)>>>,
}

impl Button {
    /// Subscribes `label.on_click`; when the label dies, its entry leaves
    /// the list by itself (through the death callback).
    fn subscribe(&self, label: &Rc<Label>) {
        let list = StdRc::downgrade(&self.listeners);
        let name = label.name;
        let method: fn(&Label, &'static str) -> String = Label::on_click;
        let listener = WeakMethod::with_callback(label, method, move || {
            println!("  (callback) {name} died: unsubscribing it");
            if let Some(list) = list.upgrade() {
                // A death during `click` finds the list borrowed: the dead
                // entry is then skipped there and removed on the next click.
                if let Ok(mut list) = list.try_borrow_mut() {
                    list.retain(|(_, l)| l.is_alive());
                }
            }
        });
        self.listeners.borrow_mut().push((listener.id(), listener));
    }

    fn click(&self, event: &'static str) {
        let mut list = self.listeners.borrow_mut();
        list.retain(|(_, l)| l.is_alive());
        println!("click! {} listener(s)", list.len());
        for (id, listener) in list.iter() {
            if let Some(seen) = listener.call(event) {
                println!("  listener #{id}: {seen}");
            }
        }
    }
}

fn main() {
    let button = Button::default();
    let title = Rc::new(Label { name: "title" });
    let status = Rc::new(Label { name: "status" });
    button.subscribe(&title);
    button.subscribe(&status);
    finalize(&status, || {
        println!("  (finalize) status label released its resources")
    });

    button.click("first click");

    println!("dropping the status label (the button does not keep it alive)");
    drop(status);
    button.click("second click");

    drop(title);
    button.click("third click");
    assert!(button.listeners.borrow().is_empty());
}
