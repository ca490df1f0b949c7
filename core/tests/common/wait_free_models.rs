//! The races of the wait-free strong protocol (`count/wait_free.rs`), as
//! scenarios generic over the counter: `loom_wait_free.rs` runs them on
//! `WaitFreeCount`, `loom_wait_free_canary.rs` on counters with one
//! planted bug each, which they must catch; `loom.rs` runs
//! `upgrade_vs_last_drop` on `AtomicCount`.

use loom::sync::atomic::{AtomicUsize, Ordering::Relaxed};
use loom::thread;
use weakref_core::Strong;
use weakref_core::count::RawCountUnique;
use weakref_core::storage::Global;

use super::common::Payload;

/// What a scenario needs of its counter.
pub(crate) trait Counter: RawCountUnique + Send + Sync + 'static {}
impl<C: RawCountUnique + Send + Sync + 'static> Counter for C {}

type Arc<C> = Strong<Payload, C, Global>;
type Weak<C> = weakref_core::Weak<Payload, C, Global>;

/// An upgrade racing the last drop (the sticky-zero race): the upgrade
/// either finds the value intact and keeps it alive (also when it reads
/// the bare 0 the dropper left, before its flag) or fails; the value is
/// dropped once, after every read; afterwards no upgrade succeeds.
pub(crate) fn upgrade_vs_last_drop<C: Counter>() {
    let strong = Arc::<C>::new(Payload::new(7));
    let weak = Arc::downgrade(&strong);
    let t = thread::spawn(move || drop(strong));
    if let Some(up) = weak.upgrade() {
        assert_eq!(up.get(), 7);
    }
    t.join().unwrap();
    assert!(weak.upgrade().is_none());
}

/// Two upgraders racing the last drop: each keeps the value alive or
/// fails; a failed upgrade's step, added under the dead flag and taken
/// back, never disturbs the other's; the value is dropped once, and no
/// upgrade succeeds afterwards.
pub(crate) fn two_upgraders_vs_last_drop<C: Counter>() {
    let strong = Arc::<C>::new(Payload::new(5));
    let weak = Arc::downgrade(&strong);
    let upgrader = |weak: Weak<C>| thread::spawn(move || weak.upgrade().map(|up| up.get()));
    let t1 = upgrader(weak.clone());
    let t2 = upgrader(weak.clone());
    drop(strong);
    for t in [t1, t2] {
        assert!(matches!(t.join().unwrap(), None | Some(5)));
    }
    assert!(weak.upgrade().is_none());
}

/// A payload that counts its drops.
struct Counted(Payload, loom::sync::Arc<AtomicUsize>);

impl Drop for Counted {
    fn drop(&mut self) {
        self.1.fetch_add(1, Relaxed);
    }
}

/// A reader of the strong count racing the last drop and an upgrade: the
/// reader that sees the bare 0 makes the death final (`ZERO | HELPED`) and
/// the dropper still drops the value (claims `HELPED`), exactly once; an
/// upgrade after the reader's 0 fails.
pub(crate) fn reader_vs_upgrade_vs_last_drop<C: Counter>() {
    let drops = loom::sync::Arc::new(AtomicUsize::new(0));
    let strong = Strong::<_, C, Global>::new(Counted(Payload::new(3), drops.clone()));
    let weak = Strong::downgrade(&strong);
    let reader = weak.clone();
    let t = thread::spawn(move || drop(strong));
    let r = thread::spawn(move || {
        if reader.strong_count() == 0 {
            assert!(reader.upgrade().is_none(), "upgraded after reading 0");
        }
    });
    if let Some(up) = weak.upgrade() {
        assert_eq!(up.0.get(), 3);
    }
    t.join().unwrap();
    r.join().unwrap();
    assert!(weak.upgrade().is_none());
    assert_eq!(drops.load(Relaxed), 1, "the value is dropped once");
}

/// An upgrade racing `get_mut`: `get_mut` succeeds only when the upgraded
/// handle and its weak handle are gone, and then the upgrader's read
/// happens before its write.
pub(crate) fn upgrade_vs_get_mut<C: Counter>() {
    let mut owner = Arc::<C>::new(Payload::new(1));
    let weak = Arc::downgrade(&owner);
    let t = thread::spawn(move || weak.upgrade().map(|up| up.get()));
    let wrote = super::common::set_if_unique(&mut owner, 2);
    // `owner` lives throughout, so the upgrade always succeeds and reads
    // the value before any write.
    assert_eq!(t.join().unwrap(), Some(1));
    assert_eq!(owner.get(), if wrote { 2 } else { 1 });
}

/// An upgrade racing `make_mut` on the last strong handle: the upgrade
/// wins (`make_mut` clones; the upgrader keeps the old value) or fails
/// (`make_mut` moved the value away: its disassociation is final).
pub(crate) fn upgrade_vs_make_mut<C: Counter>() {
    let mut strong = Arc::<C>::new(Payload::new(4));
    let weak = Arc::downgrade(&strong);
    let t = thread::spawn(move || {
        let seen = weak.upgrade().map(|up| up.get());
        (seen, weak.upgrade().is_some())
    });
    Arc::make_mut(&mut strong).set(5);
    assert_eq!(strong.get(), 5);
    let (seen, again) = t.join().unwrap();
    assert!(matches!(seen, None | Some(4)));
    assert!(seen.is_some() || !again, "a moved-away value came back");
}

/// `into_inner` on three handles from three threads, each reading the
/// value first: exactly one gets it, after every other thread's read. A
/// weak handle outlives them, so the winner's release of the implicit weak
/// is not the last (its Acquire would hide a missing one on the strong
/// side), and it never upgrades afterwards.
pub(crate) fn into_inner_from_three_threads<C: Counter>() {
    let a = Arc::<C>::new(Payload::new(6));
    let weak = Arc::downgrade(&a);
    let (b, c) = (Arc::clone(&a), Arc::clone(&a));
    let unwrap = |h: Arc<C>| {
        assert_eq!(h.get(), 6);
        Arc::into_inner(h).map(|p| p.get())
    };
    let tb = thread::spawn(move || unwrap(b));
    let tc = thread::spawn(move || unwrap(c));
    let got = [unwrap(a), tb.join().unwrap(), tc.join().unwrap()];
    assert_eq!(got.iter().filter(|g| g.is_some()).count(), 1);
    assert!(got.contains(&Some(6)));
    assert!(weak.upgrade().is_none());
}

/// `new_cyclic`'s publish (an RMW that clears the flag) racing an upgrade
/// of an escaped weak handle: the upgrade fails or sees the written value.
pub(crate) fn new_cyclic_publish_vs_upgrade<C: Counter>() {
    let mut upgrader = None;
    let strong = Arc::<C>::new_cyclic(|me| {
        let me = me.clone();
        upgrader = Some(thread::spawn(move || me.upgrade().map(|up| up.get())));
        Payload::new(9)
    });
    let seen = upgrader.unwrap().join().unwrap();
    assert!(matches!(seen, None | Some(9)));
    assert_eq!(strong.get(), 9);
}

/// An upgrade racing the last drop on a thread that then drops every
/// handle it has, the last weak one included: when the upgrade revives the
/// count the dropper's claim comes after, and the block must outlive it
/// (the reviving upgrade lends the dropper a weak count, which it gives
/// back, freeing the block if it is the last): freed once, never leaked.
pub(crate) fn upgrade_and_last_weak_vs_last_drop<C: Counter>() {
    let strong = Arc::<C>::new(Payload::new(2));
    let weak = Arc::downgrade(&strong);
    let t = thread::spawn(move || {
        if let Some(up) = weak.upgrade() {
            assert_eq!(up.get(), 2);
        }
    });
    drop(strong);
    t.join().unwrap();
}
