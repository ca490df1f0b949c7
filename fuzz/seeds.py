#!/usr/bin/env python3
"""Writes the committed seed corpus, fuzz/corpus/<target>/<name>.

Each seed is a small hand-written program, encoded the way the targets
decode their input with `arbitrary` 1.x (see weakref_tests::model): a first
byte of flags, then for `rc_ops`/`pool_ops` a `Program` (ops until the bytes
run out) and for `arc_ops` a `ThreadedProgram` (a phase length byte, len-1,
then that many `ThreadedOp`s: a thread byte and an op). An `Op` is its enum
tag (a little-endian u32 mapped to a variant by `(x * 17) >> 32`) followed by
its slot bytes, in declaration order. Check a seed with
    cargo +nightly fuzz fmt --fuzz-dir fuzz rc_ops fuzz/corpus/rc_ops/every_operation
Re-run after changing `Op`: python3 fuzz/seeds.py
"""
import os
import struct

# The variants of `weakref_tests::model::Op`, in declaration order.
VARIANTS = ["New", "Clone", "Drop", "Downgrade", "Upgrade", "WeakNew", "WeakClone",
            "WeakDrop", "GetMut", "MakeMut", "TryUnwrap", "IntoInner", "UnwrapOrClone",
            "IntoRaw", "FromRaw", "WeakIntoRaw", "WeakFromRaw"]


def tag(name):
    k, n = VARIANTS.index(name), len(VARIANTS)
    x = -(-k * 2**32 // n)  # the smallest u32 that `arbitrary` maps to variant k
    assert (x * n) >> 32 == k
    return struct.pack("<I", x)


def op(name, *slots):
    return tag(name) + bytes(slots)


def program(flags, ops):
    return bytes([flags]) + b"".join(ops)


def threaded(flags, phases):
    out = bytes([flags])
    for phase in phases:
        assert 1 <= len(phase) <= 16
        out += bytes([len(phase) - 1])
        for thread, o in phase:
            out += bytes([thread]) + o
    return out


corpus = {"rc_ops": {}, "pool_ops": {}, "arc_ops": {}}

every = [op("New",0), op("Clone",0,1), op("Downgrade",0,0), op("WeakClone",0,1), op("WeakNew",2),
  op("Upgrade",2,3), op("GetMut",0), op("MakeMut",1), op("GetMut",1), op("TryUnwrap",0), op("Upgrade",0,2),
  op("New",0), op("Downgrade",0,3), op("MakeMut",0), op("Upgrade",3,4), op("IntoRaw",0,0), op("WeakIntoRaw",3,0),
  op("WeakIntoRaw",2,1), op("FromRaw",0,5), op("Clone",5,4), op("IntoInner",5), op("UnwrapOrClone",4),
  op("WeakFromRaw",0,5), op("WeakFromRaw",1,4), op("New",2), op("Clone",2,3), op("UnwrapOrClone",2),
  op("IntoInner",3), op("MakeMut",1)]
weak_heavy = [op("New",0), op("Downgrade",0,0), op("Downgrade",0,1), op("WeakClone",1,2), op("Drop",0),
  op("Upgrade",0,1), op("WeakIntoRaw",0,0), op("WeakFromRaw",0,3), op("WeakDrop",1), op("WeakDrop",2), op("WeakDrop",3)]
make_mut = [op("New",0), op("MakeMut",0), op("Clone",0,1), op("MakeMut",0), op("Downgrade",1,0),
  op("MakeMut",1), op("Upgrade",0,2), op("GetMut",1), op("Downgrade",1,1), op("GetMut",1), op("WeakDrop",1), op("GetMut",1)]
pool_fill = [op("New",0), op("New",1), op("New",2), op("New",3), op("New",4), op("Downgrade",0,0), op("Drop",0),
  op("New",5), op("Clone",1,0), op("MakeMut",0), op("WeakDrop",0), op("New",5), op("MakeMut",0), op("Drop",2), op("MakeMut",0)]

# rc_ops / pool_ops: the first byte picks the counter width (rc_ops) or
# LocalCount/AtomicCount (pool_ops, a four-slot pool).
corpus["rc_ops"]["every_operation"] = program(0, every)
corpus["rc_ops"]["every_operation_u32"] = program(1, every)
corpus["rc_ops"]["weak_handles"] = program(0, weak_heavy)
corpus["rc_ops"]["make_mut"] = program(1, make_mut)
corpus["pool_ops"]["exhaustion_local"] = program(0, pool_fill)
corpus["pool_ops"]["exhaustion_atomic"] = program(1, pool_fill)
corpus["pool_ops"]["every_operation"] = program(1, every)
corpus["pool_ops"]["weak_handles"] = program(0, weak_heavy)

# Threaded (first byte: bit 0 compact width, bit 1 three threads). Slot i
# of thread t moves i threads down each phase: with three threads, thread
# 0's slots 1 and 2 land on threads 2 and 1; with two, slot 1 moves to the
# other thread and slot 0 stays.
make = [(0, op("New",1)), (0, op("Downgrade",1,2))]
race = [(2, op("Drop",1)), (1, op("Upgrade",2,0)), (1, op("WeakDrop",2)), (1, op("Drop",0))]
corpus["arc_ops"]["upgrade_vs_last_drop_3"] = threaded(2, [make] + [race + make] * 6 + [race])
make2 = [(0, op("New",1)), (0, op("Downgrade",1,0))]
race2 = [(1, op("Drop",1)), (0, op("Upgrade",0,2)), (0, op("WeakDrop",0)), (0, op("Drop",2))]
corpus["arc_ops"]["upgrade_vs_last_drop_2"] = threaded(1, [make2] + [race2 + make2] * 6 + [race2])
# into_inner on three threads: thread 0's slots 0, 1, 2 stay, go to thread 2, go to thread 1.
three = [(0, op("New",0)), (0, op("Clone",0,1)), (0, op("Clone",0,2))]
inner = [(0, op("IntoInner",0)), (2, op("IntoInner",1)), (1, op("IntoInner",2))]
corpus["arc_ops"]["into_inner_race_3"] = threaded(3, [three] + [inner + three] * 5 + [inner])
two = [(0, op("New",0)), (0, op("Clone",0,1))]
inner2 = [(0, op("IntoInner",0)), (1, op("IntoInner",1))]
corpus["arc_ops"]["into_inner_race_2"] = threaded(0, [two] + [inner2 + two] * 5 + [inner2])
# make_mut (the only strong handle, thread 2) vs upgrade (the weak, thread 1)
mm = [(2, op("MakeMut",1)), (1, op("Upgrade",2,3)), (2, op("Drop",1)), (1, op("WeakDrop",2)), (1, op("Drop",3))]
corpus["arc_ops"]["make_mut_vs_upgrade_3"] = threaded(2, [make] + [mm + make] * 4 + [mm])
# get_mut (strong, thread 2) vs weak clone / upgrade (thread 1)
gm = [(2, op("GetMut",1)), (1, op("WeakClone",2,1)), (1, op("Upgrade",2,0)), (2, op("TryUnwrap",1)), (1, op("Drop",0)), (1, op("WeakDrop",1)), (1, op("WeakDrop",2))]
corpus["arc_ops"]["get_mut_vs_weak_3"] = threaded(3, [make] + [gm + make] * 4 + [gm])

# callback_ops: no flags byte; its own `Op` (see fuzz_targets/callback_ops.rs).
CB_VARIANTS = ["New", "Clone", "Drop", "Downgrade", "Upgrade", "WeakDrop", "Ref", "Proxy",
               "Method", "Finalize", "RegDrop", "Call", "Detach", "Park", "Unpark", "ParkDrop",
               "TryUnwrap", "IntoInner"]
THEN = ["Nothing", "DropParked"]


def enum_tag(variants, name):
    k, n = variants.index(name), len(variants)
    x = -(-k * 2**32 // n)
    assert (x * n) >> 32 == k
    return struct.pack("<I", x)


def then(p=None):
    """A `Then`: record only, or record and drop parked slot `p`."""
    return enum_tag(THEN, "Nothing") if p is None else enum_tag(THEN, "DropParked") + bytes([p])


def cb(name, *fields):
    """An op; a field is a slot byte, or bytes (an encoded `Then`/`Option`)."""
    return enum_tag(CB_VARIANTS, name) + b"".join(
        f if isinstance(f, bytes) else bytes([f]) for f in fields)


NONE = b"\x00"


def some(t):
    return b"\x01" + t


corpus["callback_ops"] = {}
corpus["callback_ops"]["newest_first"] = b"".join([
    cb("New", 0), cb("Ref", 0, 0, some(then())), cb("Ref", 0, 1, some(then())),
    cb("Proxy", 0, 2, some(then())), cb("Finalize", 0, 3, then()), cb("Downgrade", 0, 0),
    cb("Clone", 0, 1), cb("Drop", 0), cb("Drop", 1)])
# Value 0's callback drops parked value 1, whose finalizer and callback run
# inside it; value 1's callback drops parked value 2.
corpus["callback_ops"]["reentrant_chain"] = b"".join([
    cb("New", 0), cb("New", 1), cb("Ref", 1, 1, some(then(1))), cb("Finalize", 1, 2, then()),
    cb("Downgrade", 1, 1), cb("Park", 1, 0), cb("New", 1), cb("Ref", 1, 3, some(then())),
    cb("Park", 1, 1), cb("Ref", 0, 0, some(then(0))), cb("Downgrade", 0, 0), cb("Drop", 0)])
corpus["callback_ops"]["finalizer_call_detach"] = b"".join([
    cb("New", 0), cb("Finalize", 0, 0, then()), cb("Finalize", 0, 1, then(0)), cb("New", 1),
    cb("Park", 1, 0), cb("Call", 1), cb("Call", 1), cb("Detach", 0), cb("RegDrop", 0),
    cb("Finalize", 0, 2, then()), cb("RegDrop", 2), cb("Method", 0, 3), cb("TryUnwrap", 0)])
corpus["callback_ops"]["unwrap_into_inner"] = b"".join([
    cb("New", 0), cb("Clone", 0, 1), cb("Ref", 0, 0, some(then())), cb("Proxy", 0, 1, NONE),
    cb("TryUnwrap", 0), cb("IntoInner", 1), cb("TryUnwrap", 0), cb("New", 2), cb("Method", 2, 1),
    cb("Ref", 2, 2, some(then())), cb("RegDrop", 2), cb("Downgrade", 2, 2), cb("Upgrade", 2, 3),
    cb("IntoInner", 2), cb("IntoInner", 3), cb("WeakDrop", 2), cb("Unpark", 0, 0), cb("ParkDrop", 0)])

# weak_map_ops: a flags byte (bits 0-4: WeakValueMap::with_capacity, bit 7:
# a four-shard WeakCache), then its own `Op`s.
WM_VARIANTS = ["New", "Clone", "Drop", "VInsert", "VInsertTemp", "VGet", "VRemove",
               "VGetOrInsert", "VEntry", "VPurge", "VClear", "VShrink", "VRetain", "VPopPurge",
               "VDrain", "VClone", "KInsert", "KInsertTemp", "KRemove", "KGetOrInsert", "KPurge",
               "KClear", "KRetain", "CInsert", "CInsertTemp", "CGet", "CRemove", "CGetOrInsert",
               "CPurge", "CClear"]


def wm(name, *fields):
    """An op; a field is a byte, or a (value, width) pair for the u16 masks."""
    out = enum_tag(WM_VARIANTS, name)
    for f in fields:
        out += struct.pack("<H", f[0]) if isinstance(f, tuple) else bytes([f])
    return out


every_map = [wm("New", 0, 1), wm("New", 1, 2), wm("VInsert", 1, 0), wm("VInsert", 2, 1),
  wm("VInsertTemp", 3), wm("VGet", 1, 2), wm("VEntry", 4, 0), wm("VGetOrInsert", 5, 3), wm("Drop", 1),
  wm("VRemove", 2), wm("VRetain", (0x0f0f, 2)), wm("VPopPurge"), wm("VClone"), wm("VDrain"),
  wm("VShrink"), wm("KInsert", 0, 7), wm("KInsertTemp", 3, 1), wm("KGetOrInsert", 1, 2),
  wm("KRemove", 1), wm("KRetain", (0xf0f0, 2)), wm("KPurge"), wm("KClear"), wm("CInsert", 1, 0),
  wm("CInsertTemp", 2), wm("CGet", 1, 4), wm("CGetOrInsert", 3, 5), wm("CRemove", 1), wm("CPurge"),
  wm("CClear"), wm("VPurge"), wm("VClear")]
# Dead entries up to the purge threshold, then inserts that purge.
fill = [wm("New", 0, 0)] + [wm(op, k) for k in range(12) for op in ("VInsertTemp", "CInsertTemp")] \
  + [wm("KInsertTemp", k % 3, k) for k in range(12)] \
  + [wm("VInsert", 20, 0), wm("KInsert", 0, 1), wm("CInsert", 20, 0), wm("VGetOrInsert", 21, 1),
     wm("CGetOrInsert", 21, 2), wm("KGetOrInsert", 1, 3), wm("VPurge"), wm("KPurge"), wm("CPurge")]
corpus["weak_map_ops"] = {
    "every_operation": bytes([0]) + b"".join(every_map),
    "every_operation_sharded": bytes([0x80 | 12]) + b"".join(every_map),
    "purge_threshold": bytes([0]) + b"".join(fill),
    "purge_threshold_capacity": bytes([0x80 | 20]) + b"".join(fill),
}

# arc_sched (fuzz/sched): flags (bit 0 three threads, bit 1 u32 width, bits
# 2-3 the mode, bit 4 the wait-free strong protocol), the number of operation bytes, the operations, then the
# schedule: one byte per choice between runnable threads.
def sched(flags, mode, ops, schedule):
    assert len(ops) < 256
    return (bytes([flags | mode << 2, len(ops)]) + ops + schedule)[:512]


def phases(ps):
    return threaded(0, ps)[1:]  # arc_ops's program, without its flags byte


alternate = bytes([0, 1] * 120)
rotate = bytes([0, 1, 2] * 80)
late = bytes([0] * 40 + [1, 2, 1, 0, 2] * 40)
# Callback and map programs, one share per thread (modes 1 and 2 split the
# operation bytes into equal contiguous shares).
cb = list(corpus["callback_ops"].values())
mp = list(corpus["weak_map_ops"].values())
def shares(programs, n):
    width = min(max(len(x) for x in programs[:n]), 255 // n)
    return b"".join(x[:width].ljust(width, b"\0") for x in programs[:n])
# The shared scenario's operations (mode 3): an operation byte is
# `key * 21 + op`, see `run_ops` in fuzz/sched/fuzz_targets/arc_sched.rs.
def shared_ops(*ops):
    return bytes(k * 21 + o for o, k in ops)
cache_churn = shared_ops(*[(14, k) for k in range(12)], *[(16, 0)] * 6, (20, 0), *[(15, k) for k in range(6)],
                         *[(17, k % 5) for k in range(6)], (18, 0), (19, 3), (20, 0))
callbacks_vs_death = shared_ops((8, 0), (10, 0), (8, 0), (11, 0), (9, 0), (0, 0), (8, 0), (1, 0), (10, 0), (0, 0),
                                (2, 0), (4, 0), (5, 0), (6, 0), (11, 0), (3, 0))
corpus["arc_sched"] = {
    "handles_upgrade_vs_last_drop_3": sched(1, 0, phases([make] + [race + make] * 2 + [race]), rotate),
    "handles_upgrade_vs_last_drop_2": sched(0, 0, phases([make2] + [race2 + make2] * 2 + [race2]), alternate),
    "handles_into_inner_3_u32": sched(3, 0, phases([three] + [inner + three] * 2 + [inner]), late),
    "handles_make_mut_vs_upgrade_3": sched(1, 0, phases([make] + [mm + make] + [mm]), rotate),
    "handles_get_mut_vs_weak_3": sched(1, 0, phases([make, gm]), late),
    "callbacks_3": sched(1, 1, shares(cb, 3), rotate),
    "callbacks_2": sched(0, 1, shares(cb[1:], 2), alternate),
    "maps_2": sched(0, 2, shares(mp[2:], 2), alternate),
    "maps_3": sched(1, 2, shares(mp, 3), late),
    "shared_cache_3": sched(1, 3, cache_churn, rotate),
    "shared_cache_2_u32": sched(2, 3, cache_churn, alternate),
    "shared_callbacks_3": sched(1, 3, callbacks_vs_death, late),
    "shared_callbacks_2": sched(0, 3, callbacks_vs_death, alternate),
    "wait_free_upgrade_vs_last_drop_3": sched(16 | 1, 0, phases([make] + [race + make] * 2 + [race]), rotate),
    "wait_free_into_inner_3_u32": sched(16 | 3, 0, phases([three] + [inner + three] * 2 + [inner]), late),
    "wait_free_make_mut_vs_upgrade_3": sched(16 | 1, 0, phases([make] + [mm + make] + [mm]), rotate),
    "wait_free_shared_cache_3": sched(16 | 1, 3, cache_churn, rotate),
}

root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpus")
for target, files in corpus.items():
    os.makedirs(os.path.join(root, target), exist_ok=True)
    for name, data in files.items():
        with open(os.path.join(root, target, name), "wb") as f:
            f.write(data)
