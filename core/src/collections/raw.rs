//! The engine shared by the weak collections: a `HashTable` of entries that
//! carry their hash, with the purge policy; and the weak-keyed operations
//! under [`WeakKeyMap`](super::WeakKeyMap),
//! [`PtrWeakKeyMap`](super::PtrWeakKeyMap) and the two sets.
//!
//! # Purge policy
//!
//! Without callbacks nothing tells a table that one of its values died, so
//! dead entries are found by looking, in bulk: a *purge* is one pass that
//! drops every entry whose weak handle no longer upgrades, then sizes the
//! table for what is left. It runs before an operation that may add an
//! entry once the table holds `purge_at` entries, or once the deaths
//! counted since the last scan could have left more dead entries than live
//! ones plus [`PURGE_MIN`] (`dead_may_outnumber_live`; only with
//! `bound_dead`, off for shards, and a tally), and sets
//!
//! ```text
//! target   = max(2 × live, min_capacity, PURGE_MIN)
//! purge_at = max(k × live, min_capacity, PURGE_MIN)
//! ```
//!
//! with `k` = 4 where the death rule applies and in the shards of a
//! striped collection, 2 in a lone table without a tally (`threshold`),
//! and the table resized by hashbrown, with the `rehash` closure the
//! caller passes (the stored hashes of the weak-keyed tables, [`Slot::hash`],
//! where no user code runs; `WeakValueMap`'s keys hashed again, where their
//! `Hash` runs and a panic in it may lose entries, see the collections'
//! module docs): it shrinks if it is four times too large
//! for `target`; and if the purge erased entries, it gets room for
//! `purge_at` entries, rehashed in place or grown, so that neither the
//! tombstones left by the purge nor the entries added until the next one
//! make hashbrown grow or rehash it in between. Consequences:
//!
//! * with the death rule: after any insert, dead entries <= live entries
//!   + `PURGE_MIN`, so entries <= `2 × live + PURGE_MIN`;
//! * without it: entries, dead or alive, never exceed `purge_at` for the
//!   `live` of the last purge, and the allocation is sized for that: dead
//!   entries never make a table grow;
//! * a purge costs O(capacity) = O(target), and at least `purge_at -
//!   live` (at least about `live`) new entries, or `len / 2` counted
//!   deaths, separate two purges: amortized O(1) per insert and death;
//! * a due purge skips its scan while [`Cached::weak_deaths`] (the counter
//!   family's tally of values that died with weak handles left) reads as
//!   it did before the last full scan: no entry can have died since, so
//!   the scan would erase nothing. The threshold moves as after a scan
//!   that found every entry alive.
//!
//! The check is one comparison made before the lookup. A purge never
//! removes a live entry (it keeps every entry whose strong count is not 0,
//! and a dead value never comes back), so purging early changes nothing
//! that can be observed but `len` and `capacity`.

use core::cmp;
use core::fmt;
use core::hash::{BuildHasher, Hash, Hasher};
use core::mem;

use hashbrown::hash_table;
use hashbrown::{HashTable, TryReserveError};

use super::family::WeakFamily;

/// The strong handle the collections hand out.
pub(super) type StrongOf<T, C> = <C as WeakFamily>::Strong<T>;
/// The weak handle the collections store.
pub(super) type WeakOf<T, C> = <C as WeakFamily>::Weak<T>;

/// The smallest purge threshold: tiny tables are not purged on every
/// insert. Under loom, 2: a model's few entries then reach purges.
#[cfg(not(weakref_loom))]
pub(super) const PURGE_MIN: usize = 8;
/// The smallest purge threshold (lowered under loom, see above).
#[cfg(weakref_loom)]
pub(super) const PURGE_MIN: usize = 2;

/// Buckets a scan looks at per step: the loads of all the blocks met in
/// one step are started together (about 20-50 at the load factors a purged
/// table has, more than a core keeps in flight: more buckets per step
/// measured no better).
const SCAN_STEP: usize = 64;

/// The hash of `key` under `hash_builder`: `BuildHasher::hash_one`, with an
/// inlining hint. `hash_one` is an ordinary generic function, which LLVM
/// inlines only while few call sites use it; in a program with many, each
/// lookup paid for a call and an unspecialised `Hasher::write` (measured:
/// 196 -> 139 instructions per hit lookup on 1k `u64` keys, 142 -> ~100
/// per hash with std's `RandomState`). A hint, not `inline(always)`: forced
/// into every lookup, SipHash made `get` too large to be inlined into the
/// caller's loop, and the lookup slower although shorter (`maps_ab`,
/// interleaved, `get_hit` against a plain hashbrown map of `Weak`, SipHash:
/// 1.45x -> 1.01x at 1k, 1.39x -> 1.09-1.11x at 10k, 1.20x -> 1.02-1.12x
/// at 100k; foldhash, which stays inlined, unchanged within the noise; the
/// `icount` figures unchanged: 139.1 per hit, 580.0 per insert).
#[inline]
#[expect(
    clippy::manual_hash_one,
    reason = "`hash_one` itself is what is not inlined"
)]
pub(super) fn hash_one<S: BuildHasher, Q: Hash + ?Sized>(hash_builder: &S, key: &Q) -> u64 {
    let mut hasher = hash_builder.build_hasher();
    key.hash(&mut hasher);
    hasher.finish()
}

/// An entry that knows whether its weak part is alive. Its hash, which
/// hashbrown needs to move it when the table is resized, comes from the
/// `rehash` closure each resizing operation of [`Table`] takes: a stored
/// copy ([`Slot::hash`]: a dead key cannot be hashed again) or the owned
/// key hashed again (`WeakValueMap`).
pub(super) trait Cached {
    /// Whether the weak part still upgrades (a snapshot).
    fn is_alive(&self) -> bool;
    /// Starts loading what [`is_alive`](Self::is_alive) reads, without
    /// waiting for it (a hint).
    fn prefetch(&self);
    /// The weak part's family tally of deaths ([`RawCount::weak_deaths`]).
    fn weak_deaths() -> Option<usize>
    where
        Self: Sized;
}

/// A hash table of [`Cached`] entries with the purge policy.
pub(super) struct Table<T> {
    pub(super) table: HashTable<T>,
    /// Purge before adding an entry once `len` reaches this.
    purge_at: usize,
    /// The capacity asked for with `with_capacity`: purges keep it.
    min_capacity: usize,
    /// [`Cached::weak_deaths`] read before the last full scan (or when the
    /// table was emptied; set by [`saw_deaths`](Self::saw_deaths)): while
    /// the tally still reads the same, no entry can have died, so a due
    /// purge skips its scan. [`UNSEEN`]: not known yet (a new table, a
    /// clone before its purge, a family without a tally).
    death_mark: usize,
    /// The death rule (a purge is also due once the deaths since the last
    /// scan could have left more dead entries than live ones plus
    /// [`PURGE_MIN`], see [`dead_may_outnumber_live`](Self::dead_may_outnumber_live))
    /// applies to tables of more entries than this: [`PURGE_MIN`], or
    /// `usize::MAX` where it is off, in the shards of a striped collection
    /// (`for_shard`; see [`bound_dead`](Self::bound_dead)). One
    /// comparison for both, before every insert.
    rule_min_len: usize,
}

/// [`Table::death_mark`] while no tally was read: the tally read minus
/// this is at least `usize::MAX / 2` as long as the tally is below
/// `2^63` (it counts weak handles left by deaths: more than any program
/// leaves), which the death rule reads as "any number of deaths", and
/// which the tally never equals.
const UNSEEN: usize = usize::MAX / 2 + 1;

impl<T: Cached + Clone> Table<T> {
    /// A copy of the live entries only (Python's `copy()`), in a table of
    /// the same capacity: the dead entries are dropped from the copy, which
    /// is not resized (that would need the entries' hashes).
    pub(super) fn clone_live(&self) -> Self {
        let mut copy = Table {
            table: self.table.clone(),
            purge_at: self.purge_at,
            min_capacity: self.min_capacity,
            death_mark: UNSEEN,
            rule_min_len: self.rule_min_len,
        };
        copy.scan(|_| true);
        copy.purge_at = copy.threshold(copy.table.len());
        copy
    }
}

impl<K: ?Sized, V: Clone, C: WeakFamily> Clone for KeyTable<K, V, C> {
    /// A copy of the live entries only (Python's `copy()`), shrunk as a
    /// purge shrinks.
    fn clone(&self) -> Self {
        let mut copy = self.clone_live();
        copy.fit(false, Slot::hash);
        copy
    }
}

impl<T: Cached> Table<T> {
    pub(super) const fn new() -> Self {
        Table {
            table: HashTable::new(),
            purge_at: PURGE_MIN,
            min_capacity: 0,
            death_mark: UNSEEN,
            rule_min_len: PURGE_MIN,
        }
    }

    pub(super) fn with_capacity(capacity: usize) -> Self {
        Table {
            table: HashTable::with_capacity(capacity),
            purge_at: cmp::max(capacity, PURGE_MIN),
            min_capacity: capacity,
            death_mark: UNSEEN,
            rule_min_len: PURGE_MIN,
        }
    }

    /// This table as one shard of many (a `WeakCache`, a `WeakInterner`):
    /// its purges follow its own size only, not the deaths tally. The
    /// tally is per thread or per process, not per table: with 32 shards,
    /// each would rescan after every few dozen deaths anywhere.
    pub(super) fn for_shard(mut self) -> Self {
        self.rule_min_len = usize::MAX;
        self
    }

    #[inline]
    pub(super) fn len(&self) -> usize {
        self.table.len()
    }

    #[inline]
    pub(super) fn capacity(&self) -> usize {
        self.table.capacity()
    }

    pub(super) fn live_len(&self) -> usize {
        self.table.iter().filter(|entry| entry.is_alive()).count()
    }

    /// Whether no entry is alive: stops at the first live one.
    pub(super) fn is_empty(&self) -> bool {
        !self.table.iter().any(Cached::is_alive)
    }

    /// The `Debug` of a collection over this table: its name, `len` and
    /// `live_len` (so that dead entries not yet purged cannot be mistaken
    /// for live ones), then its live entries as `entries` writes them.
    pub(super) fn debug(
        &self,
        f: &mut fmt::Formatter<'_>,
        name: &str,
        entries: impl Fn(&mut fmt::Formatter<'_>) -> fmt::Result,
    ) -> fmt::Result {
        /// Writes what its closure writes.
        struct Show<F>(F);
        impl<F: Fn(&mut fmt::Formatter<'_>) -> fmt::Result> fmt::Debug for Show<F> {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                (self.0)(f)
            }
        }
        f.debug_struct(name)
            .field("len", &self.len())
            .field("live_len", &self.live_len())
            .field("entries", &Show(entries))
            .finish()
    }

    pub(super) fn clear(&mut self) {
        self.table.clear();
        self.emptied();
    }

    /// After the table was emptied: the threshold goes back to its floor,
    /// and only deaths from now on can concern entries.
    fn emptied(&mut self) {
        self.purge_at = cmp::max(self.min_capacity, PURGE_MIN);
        self.saw_deaths(T::weak_deaths());
    }

    /// Drops every dead entry and those `keep` rejects (it sees live
    /// entries only), then records the tally of deaths read before the
    /// last pass: any death after that read changes the tally again.
    ///
    /// Dropping a dead entry runs user code (its key's or value's `Drop`),
    /// which may kill other entries of this table, some of them already
    /// passed (a value that owns other keys). So the scan passes again, for
    /// dead entries only, while the last pass erased an entry and the
    /// family's tally moved during it (without a tally: while the last
    /// pass erased an entry). Right after a scan, no entry is dead unless
    /// it died on another thread meanwhile.
    ///
    /// Telling a dead entry from a live one reads its block, which, in a
    /// table larger than the cache, is a miss in a random place; and
    /// `retain`'s keep-or-erase branch, on that load, is as random as the
    /// deaths, so a mispredict throws away the loads issued after it: one
    /// miss at a time. The scan walks [`SCAN_STEP`] buckets at a time
    /// instead: it lists the full ones (no branch), prefetches every
    /// listed entry's block, then decides each in turn, by then mostly
    /// from the cache. Measured against weak-table 0.4 on the maps bench's
    /// churn (rounds of inserts under fresh keys, half of the live values
    /// dying after each; time ratios within one run, `retain` -> this):
    /// rounds of 100k, criterion 1.04-1.08x -> 0.99-1.00x; rounds of 30k
    /// (the same code, timed alone) 1.12-1.20x -> 0.88-0.97x; rounds of 1k
    /// and 3k, where the blocks sit in the L2 cache, the same time, with
    /// about 70 more instructions per insert for walking the empty buckets.
    fn scan(&mut self, keep: impl FnMut(&mut T) -> bool) {
        let mut deaths = T::weak_deaths();
        let mut erased = self.pass(keep);
        // Only once a pass is complete: if a `Drop` of a dead entry
        // unwinds, the next due purge scans again.
        self.saw_deaths(deaths);
        while erased && (deaths.is_none() || T::weak_deaths() != deaths) {
            deaths = T::weak_deaths();
            erased = self.pass(|_| true);
            self.saw_deaths(deaths);
        }
    }

    /// Records the tally read before a complete scan (or when the table
    /// was emptied), [`UNSEEN`] for no tally.
    fn saw_deaths(&mut self, deaths: Option<usize>) {
        self.death_mark = deaths.unwrap_or(UNSEEN);
    }

    /// Whether the death rule applies (not in a shard).
    fn bound_dead(&self) -> bool {
        self.rule_min_len != usize::MAX
    }

    /// One pass of [`scan`](Self::scan): drops every dead entry and those
    /// `keep` rejects; returns whether it erased any.
    fn pass(&mut self, mut keep: impl FnMut(&mut T) -> bool) -> bool {
        let mut erased = false;
        let buckets = self.table.num_buckets();
        let mut full = [0usize; SCAN_STEP];
        let mut start = 0;
        while start < buckets {
            let end = cmp::min(start + SCAN_STEP, buckets);
            let mut listed = 0;
            for index in start..end {
                // Written always, kept only if the bucket is full.
                full[listed] = index;
                listed += usize::from(self.table.get_bucket(index).is_some());
            }
            let full = &full[..listed];
            for entry in full
                .iter()
                .filter_map(|&index| self.table.get_bucket(index))
            {
                entry.prefetch();
            }
            for &index in full {
                if let Ok(mut entry) = self.table.get_bucket_entry(index) {
                    if !(entry.get().is_alive() && keep(entry.get_mut())) {
                        // Unlinked before it is dropped: a panicking `Drop`
                        // (or `keep`) leaves a consistent table.
                        entry.remove();
                        erased = true;
                    }
                }
            }
            start = end;
        }
        erased
    }

    /// Drops every dead entry and shrinks the table if it is much too
    /// large (an explicit purge, `retain`, `clone`: no growth).
    ///
    /// Panic safety: the scan unlinks an entry before dropping it, so a
    /// panicking `Drop` of a dead entry's key or value leaves a consistent
    /// table (the other dead entries wait for the next purge).
    pub(super) fn purge(&mut self, rehash: impl Fn(&T) -> u64) {
        self.scan(|_| true);
        self.fit(false, rehash);
    }

    /// Keeps the entries `keep` accepts (it is called on live entries only;
    /// dead ones go), then sizes the table as [`purge`](Self::purge) does.
    pub(super) fn retain(&mut self, keep: impl FnMut(&mut T) -> bool, rehash: impl Fn(&T) -> u64) {
        self.scan(keep);
        self.fit(false, rehash);
    }

    /// Sets `purge_at` after a purge, and sizes the table for it: smaller
    /// if it is much too large; and, before an insert, if the purge left
    /// tombstones (`room`), with room for `purge_at` entries without
    /// growing or rehashing. (Without tombstones every entry is live, and
    /// hashbrown's own growth is the right one.)
    fn fit(&mut self, room: bool, rehash: impl Fn(&T) -> u64) {
        let live = self.table.len();
        let target = cmp::max(
            cmp::max(live.saturating_mul(2), self.min_capacity),
            PURGE_MIN,
        );
        self.purge_at = self.threshold(live);
        // With `room`, the size the table needs until its next purge.
        let size = if room { self.purge_at } else { target };
        if target.saturating_mul(4) <= self.table.capacity() {
            // Fewer buckets after a mass death, only when the table is four
            // times too large: churn that hovers around one size must not
            // reallocate at every purge (measured: the reallocations and
            // the allocator's consolidation they trigger were a fifth of
            // the churn bench).
            self.table.shrink_to(size, &rehash);
        }
        if room {
            // A no-op, a rehash in place (clearing the purge's tombstones)
            // or a resize, whichever hashbrown needs. Room for `purge_at`,
            // not just `target`: with `target` (half of it where the death
            // rule applies), the tombstones of a few purges used up the
            // room, and the table was resized later, after many more
            // blocks had been freed, for glibc to consolidate then
            // (callgrind, 1k churn: 6 % fewer modelled cycles per insert,
            // 8.4 -> 7.8 L1 misses; the same final size).
            self.table.reserve(size - live, &rehash);
        }
    }

    /// `purge_at` after a purge that left `live` entries: twice that; or,
    /// where the deaths are counted (`bound_dead` and a tally), which
    /// keeps dead entries at most the live ones + `PURGE_MIN` on its own,
    /// four times that, so that the size rule does not rescan a table
    /// whose entries mostly live (measured on the churn bench: a fourth
    /// fewer entries scanned, the same peak); and four times in a shard
    /// (no death rule there, see `WeakCache`), trading dead entries for
    /// half the purges of a cache whose values keep dying.
    fn threshold(&self, live: usize) -> usize {
        let factor = if !self.bound_dead() || T::weak_deaths().is_some() {
            4
        } else {
            2
        };
        cmp::max(
            cmp::max(live.saturating_mul(factor), self.min_capacity),
            PURGE_MIN,
        )
    }

    /// Purges if the table has reached its threshold, or if its dead
    /// entries may outnumber its live ones (before an insert).
    #[inline]
    pub(super) fn purge_if_due(&mut self, rehash: impl Fn(&T) -> u64) {
        if self.table.len() >= self.purge_at || self.dead_may_outnumber_live() {
            self.purge_cold(rehash);
        }
    }

    /// Whether the deaths counted since the last scan could have left more
    /// than `live + PURGE_MIN` dead entries. At most `deaths` entries died
    /// since that scan (each death adds to the tally the weak handles it
    /// left, and each dead entry holds one of those), and it left none, so
    /// with
    /// `dead <= min(deaths, len)` and `live = len - dead`,
    /// `2 × min(deaths, len) <= len + PURGE_MIN` proves
    /// `dead <= live + PURGE_MIN`. Checked before every insert, this keeps
    /// that bound after every insert (the new entry is live). `false`
    /// without a tally (foreign counters, `LocalCount` without `std`), in
    /// a shard, and for tables of at most `PURGE_MIN` entries.
    ///
    /// Computed as `deaths > (len + PURGE_MIN) / 2` for `len >
    /// PURGE_MIN`, the same test: if `deaths >= len`, both sides hold
    /// (`len > (len + PURGE_MIN) / 2` there); otherwise the test
    /// `2 × deaths > len + PURGE_MIN` is that one in integers. An unread
    /// tally ([`UNSEEN`]) makes `deaths` at least `usize::MAX / 2`, as if
    /// any number of entries had died. Fewer operations before every
    /// insert than the `min` form (measured in the maps A/B: the whole
    /// check was 4-9 % of an insert's time with 16-byte slots, 2-4 % in
    /// this form).
    #[inline]
    fn dead_may_outnumber_live(&self) -> bool {
        let len = self.table.len();
        let Some(now) = T::weak_deaths() else {
            return false;
        };
        // No overflow: `len` counts entries of one allocation, far below
        // `usize::MAX / 2`.
        len > self.rule_min_len && now.wrapping_sub(self.death_mark) > (len + PURGE_MIN) / 2
    }

    #[cold]
    #[inline(never)]
    fn purge_cold(&mut self, rehash: impl Fn(&T) -> u64) {
        if self.death_mark != UNSEEN && T::weak_deaths() == Some(self.death_mark) {
            // No value with a weak handle died since the last scan: every
            // entry is alive, and the scan would erase nothing (a growing
            // table's purges read every entry's block: measured, 15 % of
            // an insert's time at 100k entries).
            self.fit(false, rehash);
            return;
        }
        let before = self.table.len();
        self.scan(|_| true);
        let erased = self.table.len() < before;
        self.fit(erased, rehash);
    }

    /// Room for `additional` more entries before the table grows or purges.
    pub(super) fn reserve(&mut self, additional: usize, rehash: impl Fn(&T) -> u64) {
        self.table.reserve(additional, rehash);
        self.purge_at = cmp::max(self.purge_at, self.table.len().saturating_add(additional));
    }

    /// [`reserve`](Self::reserve), reporting an allocation failure instead
    /// of aborting (and changing nothing then).
    pub(super) fn try_reserve(
        &mut self,
        additional: usize,
        rehash: impl Fn(&T) -> u64,
    ) -> Result<(), TryReserveError> {
        self.table.try_reserve(additional, rehash)?;
        self.purge_at = cmp::max(self.purge_at, self.table.len().saturating_add(additional));
        Ok(())
    }

    /// Purges, then returns the memory the live entries do not need,
    /// keeping room for `min_capacity` entries (std's `shrink_to`).
    pub(super) fn shrink_to(&mut self, min_capacity: usize, rehash: impl Fn(&T) -> u64) {
        self.scan(|_| true);
        self.table.shrink_to(min_capacity, rehash);
        self.min_capacity = 0;
        self.purge_at = self.threshold(self.table.len());
    }

    /// The next entry, from bucket `*at` on, that `pick` takes: unlinked
    /// and returned with what `pick` made of it. Entries `pick` reports
    /// dead are unlinked and dropped on the way; the others stay. Buckets
    /// do not move when an entry is erased, so a walk that resumes at `*at`
    /// sees every entry once (`extract_if`).
    pub(super) fn extract_next<U>(
        &mut self,
        at: &mut usize,
        mut pick: impl FnMut(&mut T) -> Pick<U>,
    ) -> Option<(T, U)> {
        while *at < self.table.num_buckets() {
            let index = *at;
            *at += 1;
            let Ok(mut entry) = self.table.get_bucket_entry(index) else {
                continue;
            };
            match pick(entry.get_mut()) {
                Pick::Keep => {}
                // Unlinked before it is dropped, as in a purge.
                Pick::Dead => drop(entry.remove()),
                Pick::Take(made) => return Some((entry.remove().0, made)),
            }
        }
        None
    }

    /// Unlinks and returns the first live entry, dropping the dead ones
    /// met on the way (Python's `popitem`). `extract_if` unlinks each entry
    /// before handing it over and keeps the rest when dropped early.
    pub(super) fn pop_live<R>(&mut self, mut upgrade: impl FnMut(T) -> Option<R>) -> Option<R> {
        self.table.extract_if(|_| true).find_map(&mut upgrade)
    }

    /// Empties the table, handing out every entry.
    pub(super) fn drain(&mut self) -> hash_table::Drain<'_, T> {
        self.emptied();
        self.table.drain()
    }

    /// The table's entries, by value.
    pub(super) fn into_entries(self) -> hash_table::IntoIter<T> {
        self.table.into_iter()
    }
}

/// One entry of a weak-keyed table: the key's hash, the weak key, the
/// value.
pub(super) struct Slot<K: ?Sized, V, C: WeakFamily> {
    pub(super) hash: u64,
    pub(super) key: WeakOf<K, C>,
    pub(super) value: V,
}

impl<K: ?Sized, V: Clone, C: WeakFamily> Clone for Slot<K, V, C> {
    fn clone(&self) -> Self {
        Slot {
            hash: self.hash,
            key: self.key.clone(),
            value: self.value.clone(),
        }
    }
}

impl<K: ?Sized, V, C: WeakFamily> Slot<K, V, C> {
    /// The hash the slot was inserted with: what a weak-keyed table is
    /// resized with.
    #[inline]
    pub(super) fn hash(&self) -> u64 {
        self.hash
    }
}

impl<K: ?Sized, V, C: WeakFamily> Cached for Slot<K, V, C> {
    #[inline]
    fn is_alive(&self) -> bool {
        C::is_alive(&self.key)
    }

    #[inline]
    fn prefetch(&self) {
        C::prefetch(&self.key);
    }

    #[inline]
    fn weak_deaths() -> Option<usize> {
        C::weak_deaths()
    }
}

/// A weak-keyed table: the callers hash and compare (by value for
/// [`WeakKeyMap`](super::WeakKeyMap), by address for
/// [`PtrWeakKeyMap`](super::PtrWeakKeyMap)), this does the rest.
pub(super) type KeyTable<K, V, C> = Table<Slot<K, V, C>>;

impl<K: ?Sized, V, C: WeakFamily> Table<Slot<K, V, C>> {
    /// The slot whose (live) key `eq` accepts.
    #[inline]
    pub(super) fn find(
        &self,
        hash: u64,
        mut eq: impl FnMut(&WeakOf<K, C>) -> bool,
    ) -> Option<&Slot<K, V, C>> {
        self.table
            .find(hash, |slot| slot.hash == hash && eq(&slot.key))
    }

    #[inline]
    pub(super) fn find_mut(
        &mut self,
        hash: u64,
        mut eq: impl FnMut(&WeakOf<K, C>) -> bool,
    ) -> Option<&mut Slot<K, V, C>> {
        self.table
            .find_mut(hash, |slot| slot.hash == hash && eq(&slot.key))
    }

    /// Unlinks the slot whose key `eq` accepts.
    pub(super) fn remove(
        &mut self,
        hash: u64,
        mut eq: impl FnMut(&WeakOf<K, C>) -> bool,
    ) -> Option<Slot<K, V, C>> {
        match self
            .table
            .find_entry(hash, |slot| slot.hash == hash && eq(&slot.key))
        {
            Ok(entry) => Some(entry.remove().0),
            Err(_) => None,
        }
    }

    /// Replaces the value of the key `eq` accepts (keeping the stored key,
    /// as Python and std do), or adds `key` with `value`.
    pub(super) fn insert(
        &mut self,
        hash: u64,
        key: &StrongOf<K, C>,
        value: V,
        mut eq: impl FnMut(&WeakOf<K, C>) -> bool,
    ) -> Option<V> {
        self.purge_if_due(Slot::hash);
        match self
            .table
            .entry(hash, |slot| slot.hash == hash && eq(&slot.key), Slot::hash)
        {
            hash_table::Entry::Occupied(mut entry) => {
                Some(mem::replace(&mut entry.get_mut().value, value))
            }
            hash_table::Entry::Vacant(entry) => {
                entry.insert(Slot {
                    hash,
                    key: C::downgrade(key),
                    value,
                });
                None
            }
        }
    }

    /// The table entry for a key: `matches` returns the stored key it
    /// accepts, upgraded. Purges first if due.
    pub(super) fn entry(
        &mut self,
        hash: u64,
        mut matches: impl FnMut(&WeakOf<K, C>) -> Option<StrongOf<K, C>>,
    ) -> RawEntry<'_, K, V, C> {
        self.purge_if_due(Slot::hash);
        let mut found = None;
        let entry = self.table.entry(
            hash,
            |slot| {
                slot.hash == hash && {
                    found = matches(&slot.key);
                    found.is_some()
                }
            },
            Slot::hash,
        );
        match (entry, found) {
            (hash_table::Entry::Occupied(entry), Some(key)) => RawEntry::Occupied(entry, key),
            (hash_table::Entry::Vacant(entry), _) => RawEntry::Vacant(entry),
            // The search stops at the first slot `eq` accepts, right after
            // `found` is set for it.
            (hash_table::Entry::Occupied(_), None) => unreachable!("a match without its key"),
        }
    }

    /// Keeps the live entries `f` accepts.
    pub(super) fn retain_live(&mut self, mut f: impl FnMut(&StrongOf<K, C>, &mut V) -> bool) {
        self.retain(
            |slot| match C::upgrade(&slot.key) {
                Some(key) => f(&key, &mut slot.value),
                None => false,
            },
            Slot::hash,
        );
    }

    /// Removes and returns one live entry (Python's `popitem`).
    pub(super) fn pop_any(&mut self) -> Option<(StrongOf<K, C>, V)> {
        self.pop_live(|slot| Some((C::upgrade(&slot.key)?, slot.value)))
    }
}

/// Shows a strong handle as the value it points to (`Debug` of the
/// collections, whose handles need not be `Debug` themselves).
pub(super) struct Shown<P>(pub(super) P);

impl<P: core::ops::Deref<Target: fmt::Debug>> fmt::Debug for Shown<P> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        (*self.0).fmt(f)
    }
}

/// What [`Table::extract_next`] does with an entry.
pub(super) enum Pick<U> {
    /// The entry is dead: unlink and drop it.
    Dead,
    /// Live, and not wanted: leave it.
    Keep,
    /// Live and wanted: unlink it and hand it over with this.
    Take(U),
}

/// The state of an `extract_if` walk over a [`Table`]: the table, and the
/// next bucket to look at.
pub(super) struct Extract<'a, T> {
    table: &'a mut Table<T>,
    at: usize,
}

impl<'a, T: Cached> Extract<'a, T> {
    pub(super) fn new(table: &'a mut Table<T>) -> Self {
        Extract { table, at: 0 }
    }

    /// The next entry `pick` takes (see [`Table::extract_next`]).
    #[inline]
    pub(super) fn next<U>(&mut self, pick: impl FnMut(&mut T) -> Pick<U>) -> Option<(T, U)> {
        self.table.extract_next(&mut self.at, pick)
    }

    /// An upper bound on the entries left to hand over.
    pub(super) fn size_hint(&self) -> (usize, Option<usize>) {
        (0, Some(self.table.len()))
    }
}

/// What [`KeyTable::entry`] found.
pub(super) enum RawEntry<'a, K: ?Sized, V, C: WeakFamily> {
    /// A live slot, with its key kept alive.
    Occupied(hash_table::OccupiedEntry<'a, Slot<K, V, C>>, StrongOf<K, C>),
    /// Room for a new slot (the table has already reserved it).
    Vacant(hash_table::VacantEntry<'a, Slot<K, V, C>>),
}
