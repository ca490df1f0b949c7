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

root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpus")
for target, files in corpus.items():
    os.makedirs(os.path.join(root, target), exist_ok=True)
    for name, data in files.items():
        with open(os.path.join(root, target, name), "wb") as f:
            f.write(data)
