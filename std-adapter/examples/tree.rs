//! A tree whose nodes own their children (`Rc`) and point back to their
//! parent weakly (`Weak`), so no cycle keeps it alive. `Rc::new_cyclic`
//! gives each node a weak handle to itself while it is being built.
//!
//! Run with `cargo run -p weakref-std --example tree`.

use core::cell::RefCell;

use weakref_std::{Rc, Weak};

#[derive(Debug)]
struct Node {
    name: String,
    me: Weak<Node>,
    parent: Weak<Node>,
    children: RefCell<Vec<Rc<Node>>>,
}

impl Node {
    /// A new node under `parent` (or a root), linked both ways.
    fn new(name: &str, parent: Option<&Rc<Node>>) -> Rc<Node> {
        let node = Rc::new_cyclic(|me| Node {
            name: name.to_owned(),
            me: me.clone(),
            parent: parent.map(Rc::downgrade).unwrap_or_default(),
            children: RefCell::new(Vec::new()),
        });
        if let Some(parent) = parent {
            parent.children.borrow_mut().push(Rc::clone(&node));
        }
        node
    }

    /// The names from the root down to this node.
    fn path(&self) -> String {
        match self.parent.upgrade() {
            Some(parent) => format!("{}/{}", parent.path(), self.name),
            None => self.name.clone(),
        }
    }
}

impl Drop for Node {
    fn drop(&mut self) {
        println!("  dropping {}", self.name);
    }
}

fn main() {
    let root = Node::new("root", None);
    let usr = Node::new("usr", Some(&root));
    let bin = Node::new("bin", Some(&usr));
    println!("path of bin: {}", bin.path());
    println!(
        "bin knows itself: {}",
        Rc::ptr_eq(&bin.me.upgrade().unwrap(), &bin)
    );
    println!(
        "usr: {} strong (root's list + our variable), {} weak (its own `me`, bin's parent)",
        Rc::strong_count(&usr),
        Rc::weak_count(&usr)
    );
    println!("a weak handle prints as {:?}", bin.parent);

    let orphan = Rc::clone(&bin);
    drop((usr, bin));
    println!("dropping the root frees the whole tree but what we still hold:");
    drop(root);
    println!(
        "the orphan's parent is gone: {:?}; its path is now {:?}",
        orphan.parent,
        orphan.path()
    );
}
