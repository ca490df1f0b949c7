//! Regenerates `BENCHMARKS.md` and `benchmarks.svg` at the workspace root:
//! one run of every criterion bench of weakref-tests (each group holds the
//! anchor — std, a plain map, weak-table — beside ours), plus the
//! instruction counts of `benches/icount.rs` and `benches/icount_churn.rs`,
//! as ratios ours / anchor; then the embedded section as
//! `ci/embedded.sh --report tests/firmware/footprint.md` last wrote it.
//!
//! ```text
//! cargo run -p weakref-tests --release --bin bench-report            # run, then write
//! cargo run -p weakref-tests --release --bin bench-report -- --no-run # write from target/criterion
//! cargo run -p weakref-tests --release --bin bench-report -- --full   # criterion's full sampling
//! ```
//!
//! By default the benches run with `--quick` (about a minute in all; on the
//! 2-core machines here, sequential groups of the same code moved up to
//! 25 % between runs, and 2-thread lock anchors are bimodal); `--full` takes
//! criterion's default sampling (several minutes, steadier medians). Rows
//! close to a target (within a quarter of it) are measured again as
//! interleaved A/B rounds (`--ab N`, default 5: anchor and ours back to back,
//! the order alternating), and reported with their median and range. The
//! wait-free counter's rows come from `wait-free-ab` (11 interleaved rounds
//! of std, `AtomicCount` and `WaitFreeCount`). With
//! `CARGO_TARGET_DIR` set, criterion's results are read from there.
//!
//! Ratios compare numbers measured in the same run only; absolute times
//! on a shared machine mean little.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

/// One criterion measurement: the median time of `function` in `group`.
#[derive(Debug, Clone)]
struct Measurement {
    group: String,
    function: String,
    median_ns: f64,
}

/// One row of the report: ours against an anchor, in one group.
#[derive(Debug)]
struct Ratio {
    group: String,
    ours: String,
    anchor: String,
    ours_ns: f64,
    anchor_ns: f64,
    target: Option<Target>,
}

/// The goal a ratio is held to (issue 7's targets).
#[derive(Debug, Clone, Copy)]
struct Target {
    at_most: f64,
}

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("tests/ has a parent")
        .to_path_buf()
}

fn cargo(root: &Path, args: &[&str]) -> String {
    cargo_env(root, args, &[])
}

/// [`cargo`], with these environment variables set.
fn cargo_env(root: &Path, args: &[&str], env: &[(&str, &str)]) -> String {
    let out = Command::new(env!("CARGO"))
        .args(args)
        .envs(env.iter().copied())
        .current_dir(root)
        .output()
        .expect("cargo runs");
    assert!(
        out.status.success(),
        "cargo {args:?} failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// The criterion benches of weakref-tests (every `[[bench]]` but the
/// `icount*` ones and `maps_ab`, which have their own sections).
fn criterion_benches(root: &Path) -> Vec<String> {
    let manifest = fs::read_to_string(root.join("tests/Cargo.toml")).expect("tests/Cargo.toml");
    manifest
        .lines()
        .filter_map(|l| l.trim().strip_prefix("name = \""))
        .map(|n| n.trim_end_matches('"').to_owned())
        .filter(|n| n != "weakref-tests" && n != "maps_ab" && !n.starts_with("icount"))
        .collect()
}

/// A number after `"key":` in a JSON text (enough for criterion's files).
fn json_number(text: &str, key: &str) -> Option<f64> {
    let at = text.find(&format!("\"{key}\":"))? + key.len() + 3;
    let rest = &text[at..];
    let end = rest.find([',', '}']).unwrap_or(rest.len());
    rest[..end].trim().parse().ok()
}

/// A string after `"key":` in a JSON text.
fn json_string(text: &str, key: &str) -> Option<String> {
    let at = text.find(&format!("\"{key}\":\""))? + key.len() + 4;
    let rest = &text[at..];
    Some(rest[..rest.find('"')?].to_owned())
}

fn read_criterion(dir: &Path, out: &mut Vec<Measurement>) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if !path.is_dir() {
            continue;
        }
        if path.ends_with("new") {
            let (Ok(bench), Ok(estimates)) = (
                fs::read_to_string(path.join("benchmark.json")),
                fs::read_to_string(path.join("estimates.json")),
            ) else {
                continue;
            };
            let median = estimates
                .find("\"median\"")
                .and_then(|at| json_number(&estimates[at..], "point_estimate"));
            if let (Some(group), Some(function), Some(median_ns)) = (
                json_string(&bench, "group_id"),
                json_string(&bench, "function_id"),
                median,
            ) {
                out.push(Measurement {
                    group,
                    function,
                    median_ns,
                });
            }
        } else {
            read_criterion(&path, out);
        }
    }
}

fn is_ours(function: &str) -> bool {
    function.starts_with("weakref")
}

/// Issue 7's targets, by group and anchor.
fn target_for(group: &str, ours: &str, anchor: &str) -> Option<Target> {
    let at_most = if ours.contains("pool") && anchor == "std" {
        0.5
    } else if (group.starts_with("rc/") || group.starts_with("arc/")) && anchor == "std" {
        1.02
    } else if group.contains("churn") && anchor.contains("weak-table") {
        1.0 / 1.3
    } else if group.starts_with("cache/") && anchor.starts_with("mutex") {
        // Issue 20: never slower than `Mutex<HashMap>`, in either mode.
        1.0
    } else if group.starts_with("cache/1 thread") && anchor == "dashmap" {
        0.9
    } else if group.starts_with("cache/2 threads") && anchor == "dashmap" {
        0.8
    } else if group.starts_with("intern/") && anchor.starts_with("internment") {
        0.9
    } else if (group.contains("insert") || group.contains("hit") || group.contains("miss"))
        && (anchor.contains("hashbrown") || anchor.contains("plain"))
    {
        1.03
    } else {
        return None;
    };
    Some(Target { at_most })
}

fn ratios(measurements: &[Measurement]) -> Vec<Ratio> {
    let mut groups: BTreeMap<&str, Vec<&Measurement>> = BTreeMap::new();
    for m in measurements {
        groups.entry(&m.group).or_default().push(m);
    }
    let mut rows = Vec::new();
    for (group, ms) in groups {
        for ours in ms.iter().filter(|m| is_ours(&m.function)) {
            for anchor in ms.iter().filter(|m| !is_ours(&m.function)) {
                rows.push(Ratio {
                    group: group.to_owned(),
                    ours: ours.function.clone(),
                    anchor: anchor.function.clone(),
                    ours_ns: ours.median_ns,
                    anchor_ns: anchor.median_ns,
                    target: target_for(group, &ours.function, &anchor.function),
                });
            }
        }
    }
    rows
}

/// `(operation, std, ours, ours/std)` rows from the icount bench's table.
fn icount_rows(table: &str) -> Vec<(String, f64, f64, f64)> {
    table
        .lines()
        .filter_map(|line| {
            let cols: Vec<&str> = line.split_whitespace().collect();
            let n = cols.len();
            if n < 4 {
                return None;
            }
            let nums: Vec<f64> = cols[n - 3..]
                .iter()
                .filter_map(|c| c.parse().ok())
                .collect();
            (nums.len() == 3).then(|| (cols[..n - 3].join(" "), nums[0], nums[1], nums[2]))
        })
        .collect()
}

/// A row close to its target, measured again as interleaved A/B: each
/// round runs the anchor and ours back to back (the order alternating
/// between rounds) and gives one ratio.
#[derive(Debug)]
struct AbRow {
    group: String,
    ours: String,
    anchor: String,
    target: Target,
    ratios: Vec<f64>,
}

/// Whether a row's time ratio is within a quarter of its target, where a
/// single sequential run settles nothing on this machine.
fn close_to_target(r: &Ratio) -> bool {
    r.target
        .is_some_and(|t| ((r.ours_ns / r.anchor_ns) / t.at_most - 1.0).abs() < 0.25)
}

/// `text` with the regex metacharacters escaped (criterion's filter is a
/// regex over `group/function`).
fn regex_escape(text: &str) -> String {
    let mut out = String::new();
    for c in text.chars() {
        if "\\.+*?()|[]{}^$".contains(c) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// The median criterion just measured for `group/function`.
fn median_of(criterion_dir: &Path, group: &str, function: &str) -> Option<f64> {
    let mut all = Vec::new();
    read_criterion(criterion_dir, &mut all);
    all.into_iter()
        .find(|m| m.group == group && m.function == function)
        .map(|m| m.median_ns)
}

/// Interleaved A/B rounds for every row close to its target.
fn interleaved(root: &Path, criterion_dir: &Path, rows: &[Ratio], rounds: usize) -> Vec<AbRow> {
    let benches = criterion_benches(root);
    let mut out = Vec::new();
    for r in rows.iter().filter(|r| close_to_target(r)) {
        let Some(target) = r.target else { continue };
        eprintln!("interleaved A/B: {} / {} vs {}", r.group, r.ours, r.anchor);
        let mut ratios = Vec::new();
        for round in 0..rounds {
            let order = if round % 2 == 0 {
                [&r.anchor, &r.ours]
            } else {
                [&r.ours, &r.anchor]
            };
            let mut medians = BTreeMap::new();
            for function in order {
                let filter = format!("^{}/{}$", regex_escape(&r.group), regex_escape(function));
                let mut args = vec!["bench", "-p", "weakref-tests"];
                for bench in &benches {
                    args.extend(["--bench", bench.as_str()]);
                }
                args.extend(["--", filter.as_str(), "--quick", "--noplot"]);
                cargo(root, &args);
                if let Some(median) = median_of(criterion_dir, &r.group, function) {
                    medians.insert(function.as_str(), median);
                }
            }
            if let (Some(ours), Some(anchor)) =
                (medians.get(r.ours.as_str()), medians.get(r.anchor.as_str()))
            {
                ratios.push(ours / anchor);
            }
        }
        ratios.sort_by(f64::total_cmp);
        out.push(AbRow {
            group: r.group.clone(),
            ours: r.ours.clone(),
            anchor: r.anchor.clone(),
            target,
            ratios,
        });
    }
    out
}

/// The interleaved A/B section of the report.
fn ab_section(md: &mut String, ab: &[AbRow], rounds: usize) {
    let _ = writeln!(md, "\n## Close to a target: interleaved A/B\n");
    if rounds == 0 {
        let _ = writeln!(
            md,
            "Not measured in this run (`--ab 0` or `--no-run`); the rows above that are within\n\
             a quarter of their target are single sequential runs."
        );
        return;
    }
    if ab.is_empty() {
        let _ = writeln!(md, "No row was within a quarter of its target.");
        return;
    }
    let _ = writeln!(
        md,
        "Each row close to its target, measured again in {rounds} rounds; each round runs the anchor\n\
         and ours back to back, alternating which goes first. Median and range of the rounds'\n\
         ratios:\n"
    );
    let _ = writeln!(
        md,
        "| group | ours | anchor | median | min | max | target |\n|---|---|---|---:|---:|---:|---|"
    );
    for row in ab {
        let (Some(min), Some(max)) = (row.ratios.first(), row.ratios.last()) else {
            continue;
        };
        let median = row.ratios[row.ratios.len() / 2];
        let _ = writeln!(
            md,
            "| {} | {} | {} | {median:.3} | {min:.3} | {max:.3} | {} |",
            row.group,
            row.ours,
            row.anchor,
            verdict(median, Some(row.target))
        );
    }
}
/// The concurrent cache's own report (issue 20), from `benches/cache.rs`:
/// its in-process interleaved A/B rounds (`-- --ab N`; one line per pair,
/// the bimodal 2-thread `Mutex<HashMap>` split into its modes) and its
/// callgrind counts (`-- icount`). Empty with `rounds == 0`.
fn cache_section(root: &Path, rounds: usize) -> String {
    let mut md = String::new();
    let _ = writeln!(
        md,
        "\n## Concurrent cache and interner: interleaved A/B in one process\n"
    );
    if rounds == 0 {
        let _ = writeln!(md, "Not measured in this run (`--ab 0` or `--no-run`).");
        return md;
    }
    let rounds = (2 * rounds + 1).max(11);
    eprintln!("cache: interleaved A/B ({rounds} rounds) and instruction counts");
    let cache_bench = |args: &[&str]| {
        let mut all = vec!["bench", "-p", "weakref-tests", "--bench", "cache", "--"];
        all.extend(args);
        cargo(root, &all)
    };
    let ab = cache_bench(&["--ab", &rounds.to_string()]);
    let icount = cache_bench(&["icount"]);
    let _ = writeln!(
        md,
        "`benches/cache.rs -- --ab {rounds}`: every contender hashes with `ahash::RandomState`\n\
         (internment's). Cache: 4096 keys, 90 % `get`, 10 % `insert` of a fresh value, each\n\
         thread keeping its 1024 latest values alive (older ones die). Interning: 4096\n\
         strings, all held (each intern a hit) or dropped in rounds of 256 (nearly each a\n\
         miss). Each round runs the anchor and ours back to back in one process, on tables\n\
         kept across rounds, alternating which goes first; median and range of the rounds'\n\
         time ratios ours / anchor. The 2-thread `Mutex<HashMap>` is bimodal (the threads\n\
         contend, or the lock convoys and one thread runs alone): its rounds are split at the\n\
         widest gap in its own times, one row per mode seen.\n"
    );
    let _ = writeln!(
        md,
        "| group | anchor | mode | median | min | max | rounds | anchor ns/op | |\n|---|---|---|---:|---:|---:|---:|---:|---|"
    );
    for line in ab.lines().filter(|l| l.starts_with("ab |")) {
        let cols: Vec<&str> = line.split('|').map(str::trim).collect();
        let [_, group, _, anchor, mode, median, min, max, n, anchor_ns] = cols[..] else {
            continue;
        };
        let target = target_for(group, "weakref", anchor);
        let verdict = median.parse().map_or(String::new(), |m| verdict(m, target));
        let _ = writeln!(
            md,
            "| {group} | {anchor} | {mode} | {median} | {min} | {max} | {n} | {anchor_ns} | {verdict} |"
        );
    }
    let _ = writeln!(
        md,
        "\nInstructions per operation, 1 thread (`benches/cache.rs -- icount`, callgrind;\n\
         `reload`: `get_or_insert_with` on one key with the handle kept, or dropped after\n\
         each call, the warning in `WeakCache`'s docs):\n\n\
         | workload | contender | instructions | ours / it |\n|---|---|---:|---:|"
    );
    for line in icount.lines().filter(|l| l.starts_with("icount |")) {
        let cols: Vec<&str> = line.split('|').map(str::trim).collect();
        if let [_, workload, who, count, ratio] = cols[..] {
            let _ = writeln!(md, "| {workload} | {who} | {count} | {ratio} |");
        }
    }
    md
}

/// The wait-free upgrade against std and `AtomicCount` (issue 23): the
/// table `wait-free-ab` printed, or `None` when not measured.
fn wait_free_section(md: &mut String, table: Option<&str>) {
    let _ = writeln!(
        md,
        "\n## Wait-free upgrade: `WaitFreeCount` (interleaved A/B)\n"
    );
    let _ = writeln!(
        md,
        "`weakref_sync::wait_free::Arc` (`Strong<T, WaitFreeCount>`): `upgrade` is a load and one\n\
         `fetch_add` (ISMM 2023's hybrid), never a retrying compare-and-swap; the last drop adds a\n\
         compare-and-swap (the sticky dead flag). It is not the default: it loses to `AtomicCount`\n\
         on the rows where a value dies (`new+drop`: two more instructions, above; a last drop\n\
         with weak handles left). Its instruction counts are the `[waitfree]` rows above. Times:\n\
         `cargo run -p weakref-tests --release --bin wait-free-ab`, each row's three\n\
         implementations back to back per round, the order rotating; the 2-thread rows on this\n\
         shared 2-core machine also measure the scheduler (read their range).\n"
    );
    match table {
        Some(table) => md.push_str(table),
        None => {
            let _ = writeln!(md, "Not measured in this run (`--no-run`).");
        }
    }
}

/// `(map, total, own)` rows from the icount_churn bench's table.
fn churn_rows(table: &str) -> Vec<(String, f64, f64)> {
    table
        .lines()
        .filter_map(
            |line| match line.split_whitespace().collect::<Vec<_>>()[..] {
                [map, total, own] => Some((map.to_owned(), total.parse().ok()?, own.parse().ok()?)),
                _ => None,
            },
        )
        .collect()
}

fn machine() -> String {
    let cpu = fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|c| {
            c.lines()
                .find(|l| l.starts_with("model name"))
                .map(|l| l.split(':').nth(1).unwrap_or("").trim().to_owned())
        })
        .unwrap_or_else(|| "unknown CPU".to_owned());
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    let rustc = Command::new("rustc")
        .arg("--version")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
        .unwrap_or_default();
    let date = Command::new("date")
        .args(["-u", "+%Y-%m-%d %H:%M UTC"])
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
        .unwrap_or_default();
    format!("{cpu}, {cores} cores; {rustc}; {date}")
}

fn verdict(ratio: f64, target: Option<Target>) -> String {
    match target {
        Some(t) if ratio <= t.at_most => format!("meets ≤ {:.2}", t.at_most),
        Some(t) => format!("**misses** ≤ {:.2}", t.at_most),
        None => String::new(),
    }
}

/// The table rows (`| ...`) of `maps_ab`'s output, header included.
fn table_lines(output: &str) -> String {
    output
        .lines()
        .filter(|l| l.starts_with('|'))
        .map(|l| format!("{l}\n"))
        .collect()
}

/// The `maps_ab` section: the weak value map against a plain hashbrown
/// map of `Weak`, interleaved, with and without fresh-page faults.
fn maps_ab_section(md: &mut String, maps_ab: &(String, String)) {
    let _ = writeln!(
        md,
        "\n## Weak value map against a plain map of `Weak`: interleaved A/B\n"
    );
    let _ = writeln!(
        md,
        "`benches/maps_ab.rs` (issue 19): insert and `get_hit` against a plain\n\
         `hashbrown::HashMap<u64, Weak<V>>` with the same hasher, in one process, the two\n\
         maps back to back and the order alternating per round; each side's time in a round\n\
         is the fastest of several repetitions. Target: ≤ 1.03 ×. The last column times a\n\
         plain map with our slot size (24 bytes: each `Weak` beside a `u64`, where ours\n\
         keeps the key's hash) against the plain one: the share of a gap the layout alone\n\
         explains.\n"
    );
    md.push_str(&table_lines(&maps_ab.0));
    let _ = writeln!(
        md,
        "\nThe same, with glibc's `mmap` threshold fixed (`MALLOC_MMAP_THRESHOLD_=33554432\n\
         MALLOC_TRIM_THRESHOLD_=1073741824`): growing tables no longer take fresh pages\n\
         (and their faults) at every fill. Above, the first configurations run (SipHash)\n\
         pay those faults before glibc's dynamic threshold rises, in proportion to the\n\
         slot size.\n"
    );
    md.push_str(&table_lines(&maps_ab.1));
}

/// The sections measured by benches of their own, each placed after the
/// interleaved A/B rows.
struct OwnSections<'a> {
    /// `maps_ab`'s two tables (SipHash, foldhash).
    maps_ab: &'a (String, String),
    /// The concurrent cache's section (`cache_section`).
    cache: &'a str,
    /// `wait-free-ab`'s table, or `None` when not measured.
    wait_free: Option<&'a str>,
}

fn markdown(
    rows: &[Ratio],
    ab: (&[AbRow], usize),
    own: &OwnSections<'_>,
    icount: &[(String, f64, f64, f64)],
    churn: &[(String, f64, f64)],
    machine: &str,
) -> String {
    let mut md = String::new();
    let _ = writeln!(md, "# Benchmarks\n");
    let _ = writeln!(
        md,
        "Generated by `cargo run -p weakref-tests --release --bin bench-report`"
    );
    let _ = writeln!(md, "on {machine}.\n");
    let _ = writeln!(
        md,
        "Every number is a ratio **ours / anchor** measured in the same run (criterion medians,\n\
         or instruction counts); below 1 means we are faster. On this shared 2-core machine,\n\
         sequential criterion groups of the same code moved up to 25 % between runs, and\n\
         2-thread lock anchors are bimodal (contending or convoying): a time ratio within\n\
         a quarter of its target settles nothing: those rows are measured again below.\n\
         Instruction counts do not move between runs.\n"
    );
    let _ = writeln!(md, "![ratios](benchmarks.svg)\n");
    if !icount.is_empty() {
        let _ = writeln!(md, "## Instructions per operation (callgrind)\n");
        let _ = writeln!(
            md,
            "Target: ≤ 1.00 × std for every `Rc`/`Arc` operation; pool `new`+drop ≤ 0.5 × std.\n"
        );
        let _ = writeln!(md, "| operation | std | ours | ours / std | |");
        let _ = writeln!(md, "|---|---:|---:|---:|---|");
        for (op, std, ours, ratio) in icount {
            let target = if op.contains("pool]") { 0.5 } else { 1.0 };
            let verdict = verdict(*ratio, Some(Target { at_most: target }));
            let _ = writeln!(
                md,
                "| {op} | {std:.1} | {ours:.1} | {ratio:.3} | {verdict} |"
            );
        }
        md.push('\n');
    }
    let table_own = churn
        .iter()
        .find(|(map, ..)| map == "weak-table")
        .map(|row| row.2);
    if let Some(table_own) = table_own {
        let _ = writeln!(md, "## Churn: instructions per insert (callgrind)\n");
        let _ = writeln!(
            md,
            "Issue 4's churn (rounds of 1000 inserts, half of the live values dying after each;\n\
             `benches/icount_churn.rs`). *Own*: the same rounds without a map subtracted.\n\
             Target: ours ≤ 0.77 × weak-table's own (1.3× faster). These counts move with\n\
             how LLVM inlines each map into the binary: whether std's `hash_one`, which the\n\
             plain map and weak-table call, is inlined changes their own counts by about 55\n\
             (279 or 333 in two builds of the same map code). Ours' purge scan walks every\n\
             bucket to prefetch the blocks it will read (about 70 instructions per insert\n\
             here): that buys time in tables larger than the cache, not at this size. The\n\
             time of the same churn is in the `maps/churn` rows below.\n"
        );
        let _ = writeln!(md, "| map | total | own | own / weak-table's | |");
        let _ = writeln!(md, "|---|---:|---:|---:|---|");
        for (map, total, own) in churn {
            let ratio = own / table_own;
            let verdict = if map == "ours" {
                verdict(ratio, Some(Target { at_most: 0.77 }))
            } else {
                String::new()
            };
            let _ = writeln!(
                md,
                "| {map} | {total:.1} | {own:.1} | {ratio:.3} | {verdict} |"
            );
        }
        md.push('\n');
    }
    let _ = writeln!(md, "## Time (criterion medians)\n");
    let _ = writeln!(
        md,
        "| group | ours | anchor | ours (ns) | anchor (ns) | ours / anchor | |"
    );
    let _ = writeln!(md, "|---|---|---|---:|---:|---:|---|");
    for r in rows {
        let ratio = r.ours_ns / r.anchor_ns;
        let _ = writeln!(
            md,
            "| {} | {} | {} | {:.1} | {:.1} | {:.3} | {} |",
            r.group,
            r.ours,
            r.anchor,
            r.ours_ns,
            r.anchor_ns,
            ratio,
            verdict(ratio, r.target)
        );
    }
    let misses: Vec<&Ratio> = rows
        .iter()
        .filter(|r| {
            r.target
                .is_some_and(|t| r.ours_ns / r.anchor_ns > t.at_most)
        })
        .collect();
    ab_section(&mut md, ab.0, ab.1);
    maps_ab_section(&mut md, own.maps_ab);
    md.push_str(own.cache);
    wait_free_section(&mut md, own.wait_free);
    let _ = writeln!(md, "\n## Targets missed\n");
    if misses.is_empty() {
        let _ = writeln!(md, "None in this run.");
    } else {
        let _ = writeln!(
            md,
            "Time ratios within a few percent of a target are usually run-to-run noise on this\n\
             machine: compare with the instruction counts above, which are exact. Misses:\n"
        );
        for r in misses {
            let ratio = r.ours_ns / r.anchor_ns;
            let _ = writeln!(
                md,
                "- {} / {} vs {}: {ratio:.3}{}",
                r.group,
                r.ours,
                r.anchor,
                why_missed(r, rows)
            );
        }
    }
    md
}

/// What is known about a miss, for the report (`rows`: the whole run, for
/// the floor of the same group).
fn why_missed(r: &Ratio, rows: &[Ratio]) -> String {
    let text = if r.anchor_ns < 2.0 {
        " — under 2 ns a loop iteration is a few cycles and code placement decides; \
         the instruction counts above are identical to std's"
    } else if r.ours.contains("thread-local pool") {
        " — no atomic instruction is left (cell flags); the rest is the slot search, the \
         index arithmetic of the free and the out-of-line last-drop path, against \
         glibc's thread-cached malloc fast path"
    } else if r.ours.contains("pool") {
        " — a static pool slot is taken with one atomic compare-and-swap, a locked \
         instruction that costs about what glibc's thread-cached malloc fast path does: \
         the pool wins in instructions (see above) but not 2× in time; the thread-local \
         pool (no atomics, `Rc` only) is the faster choice where values stay on a thread"
    } else if r.group.contains("churn") {
        let plain = rows
            .iter()
            .find(|o| o.group == r.group && o.ours == r.ours && o.anchor == "plain");
        let Some(plain) = plain else {
            return String::new();
        };
        // The plain map's time over weak-table's, both from this run.
        let floor = plain.anchor_ns / r.anchor_ns;
        if floor > 1.05 {
            // weak-table beat the hand-purged plain map: no floor argument.
            return format!(
                " — the hand-purged plain map ran at {floor:.3}× weak-table in this run; \
                 ours executes fewer instructions per churn insert than both (above), but \
                 the time here is memory (every map reads and frees the same dead blocks, \
                 and weak-table's time at this size moves by up to 2× between runs)"
            );
        }
        if floor < 1.0 / 1.3 {
            // The hand-purged plain map itself beat the target.
            return format!(
                " — the plain `HashMap<K, Weak>` purged by hand once per round ran at \
                 {floor:.3}× weak-table in this run, and ours at {:.3}× that plain map: the \
                 plain map purges right after each round's deaths, while the dead blocks are \
                 still cached, and holds fewer entries at peak (187,500 against 250,000 for \
                 rounds of 100k; the slots of both are 16 bytes)",
                plain.ours_ns / plain.anchor_ns
            );
        }
        return format!(
            " — the floor, a plain `HashMap<K, Weak>` purged by hand once per round, ran at \
             {floor:.3}× weak-table in this run, so the target asks for a map {:.0} % faster \
             than a table that does nothing but hash, insert and one `retain` per round: \
             what every map pays here (SipHash of each key, a weak count per insert, \
             reading and freeing each dead block) is most of a churn insert. Dead entries \
             are found by purging: eager removal through death callbacks would cost a \
             registration per insert, which `callbacks/* register` prices above a whole \
             churn insert",
            (1.0 - (1.0 / 1.3) / floor) * 100.0
        );
    } else if r.group.starts_with("sets/") && r.group.contains("hit") {
        " — a weak key is compared through its block: the set upgrades it (a write to \
         the block and its release) where the plain map compares a key stored inline \
         and reads the strong count; the entry also stores its hash (no `Hash` call in \
         purges and growth), a wider slot felt once the table outgrows the caches"
    } else if r.group.starts_with("maps/") {
        " — the slots have the plain map's layout (a `u64` key and a `Weak`: 16 bytes, \
         no stored hash); what ours adds is the check before each insert whether a \
         purge is due (the death tally read and two comparisons), and these \
         `--quick` medians moved up to 25 % between runs here: the interleaved A/B \
         below times the same operations"
    } else if r.group.starts_with("sets/") {
        " — each entry also stores its hash (a dead key cannot be hashed again, and \
         purges and growth never call `Hash`): 24 bytes a slot against the plain \
         map's 16, felt once the table outgrows the caches; the same operations meet \
         the target at other sizes, and these `--quick` medians moved up to 25 % \
         between runs here"
    } else {
        ""
    };
    text.to_owned()
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// A horizontal bar chart of the time ratios, with a line at 1.0.
fn svg(rows: &[Ratio]) -> String {
    let (label_w, bar_w, row_h, top) = (360.0, 420.0, 18.0, 40.0);
    let max = rows
        .iter()
        .map(|r| r.ours_ns / r.anchor_ns)
        .fold(1.5_f64, f64::max)
        .min(4.0);
    let height = top + row_h * rows.len() as f64 + 30.0;
    let x = |ratio: f64| label_w + bar_w * (ratio.min(max) / max);
    let mut s = String::new();
    let _ = writeln!(
        s,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{height}" font-family="sans-serif" font-size="11">"#,
        w = label_w + bar_w + 60.0
    );
    let _ = writeln!(s, r#"<rect width="100%" height="100%" fill="white"/>"#);
    let _ = writeln!(
        s,
        r#"<text x="10" y="20" font-size="14">weakref: time ratio ours / anchor (below 1 = faster)</text>"#
    );
    for (i, r) in rows.iter().enumerate() {
        let y = top + row_h * i as f64;
        let ratio = r.ours_ns / r.anchor_ns;
        let ok = r.target.is_none_or(|t| ratio <= t.at_most);
        let color = if ok { "#4c9a2a" } else { "#c0392b" };
        let label = escape(&format!("{} · {} vs {}", r.group, r.ours, r.anchor));
        let _ = writeln!(
            s,
            r#"<text x="{}" y="{}" text-anchor="end">{label}</text>"#,
            label_w - 6.0,
            y + 12.0
        );
        let _ = writeln!(
            s,
            r#"<rect x="{label_w}" y="{}" width="{:.1}" height="{}" fill="{color}"/>"#,
            y + 2.0,
            x(ratio) - label_w,
            row_h - 4.0
        );
        let _ = writeln!(
            s,
            r#"<text x="{:.1}" y="{}">{ratio:.2}</text>"#,
            x(ratio) + 4.0,
            y + 12.0
        );
    }
    let one = x(1.0);
    let _ = writeln!(
        s,
        r#"<line x1="{one:.1}" y1="{}" x2="{one:.1}" y2="{}" stroke="black" stroke-dasharray="4 2"/>"#,
        top - 4.0,
        height - 26.0
    );
    let _ = writeln!(
        s,
        r#"<text x="{one:.1}" y="{}" text-anchor="middle">1.0</text>"#,
        height - 12.0
    );
    s.push_str("</svg>\n");
    s
}

fn main() {
    let root = workspace_root();
    let no_run = std::env::args().any(|a| a == "--no-run");
    let full = std::env::args().any(|a| a == "--full");
    // Where criterion writes: under `$CARGO_TARGET_DIR` when it is set (a
    // relative one is taken from the workspace root, as cargo does), else
    // under the workspace's `target/`.
    let target_dir = std::env::var_os("CARGO_TARGET_DIR")
        .map_or_else(|| root.join("target"), |dir| root.join(dir));
    let criterion_dir = target_dir.join("criterion");
    if !no_run {
        // Only this run's numbers go into the report.
        let _ = fs::remove_dir_all(&criterion_dir);
        let mut args = vec!["bench", "-p", "weakref-tests"];
        let benches = criterion_benches(&root);
        for bench in &benches {
            args.extend(["--bench", bench.as_str()]);
        }
        if !full {
            args.extend(["--", "--quick"]);
        }
        eprintln!("running criterion benches: {benches:?}");
        cargo(&root, &args);
    }
    eprintln!("counting instructions (valgrind)");
    let icount = icount_rows(&cargo(
        &root,
        &["bench", "-p", "weakref-tests", "--bench", "icount"],
    ));
    let churn = churn_rows(&cargo(
        &root,
        &["bench", "-p", "weakref-tests", "--bench", "icount_churn"],
    ));
    eprintln!("interleaved A/B against a plain map (maps_ab)");
    let maps_ab_args = ["bench", "-p", "weakref-tests", "--bench", "maps_ab"];
    let maps_ab = (
        cargo(&root, &maps_ab_args),
        cargo_env(
            &root,
            &maps_ab_args,
            &[
                ("MALLOC_MMAP_THRESHOLD_", "33554432"),
                ("MALLOC_TRIM_THRESHOLD_", "1073741824"),
            ],
        ),
    );
    let mut measurements = Vec::new();
    read_criterion(&criterion_dir, &mut measurements);
    assert!(
        !measurements.is_empty(),
        "no criterion results in {}",
        criterion_dir.display()
    );
    let rows = ratios(&measurements);
    // Rows close to a target: interleaved A/B rounds (`--ab N`, default 5;
    // none with `--no-run`).
    let rounds = if no_run {
        0
    } else {
        let args: Vec<String> = std::env::args().collect();
        args.iter()
            .position(|a| a == "--ab")
            .and_then(|i| args.get(i + 1))
            .map_or(5, |n| n.parse().expect("--ab N: a number of rounds"))
    };
    let ab = interleaved(&root, &criterion_dir, &rows, rounds);
    let cache = cache_section(&root, rounds);
    let wait_free = (!no_run).then(|| {
        eprintln!("timing the wait-free counter (wait-free-ab)");
        cargo(
            &root,
            &[
                "run",
                "-q",
                "-p",
                "weakref-tests",
                "--release",
                "--bin",
                "wait-free-ab",
            ],
        )
    });
    let mut report = markdown(
        &rows,
        (&ab, rounds),
        &OwnSections {
            maps_ab: &maps_ab,
            cache: &cache,
            wait_free: wait_free.as_deref(),
        },
        &icount,
        &churn,
        &machine(),
    );
    // The embedded numbers come from QEMU runs, not from here: the section
    // that `ci/embedded.sh --report` wrote, as it is.
    let embedded = root.join("tests/firmware/footprint.md");
    report.push('\n');
    report.push_str(&fs::read_to_string(&embedded).unwrap_or_else(|e| {
        panic!(
            "{}: {e} (`ci/embedded.sh --report` writes it)",
            embedded.display()
        )
    }));
    fs::write(root.join("BENCHMARKS.md"), report).expect("write BENCHMARKS.md");
    fs::write(root.join("benchmarks.svg"), svg(&rows)).expect("write benchmarks.svg");
    println!(
        "wrote BENCHMARKS.md and benchmarks.svg ({} ratios, {} instruction counts, {} churn rows)",
        rows.len(),
        icount.len(),
        churn.len()
    );
}
