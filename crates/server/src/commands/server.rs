//! Server commands: INFO, COMMAND, CONFIG, TIME, LASTSAVE, SAVE, BGSAVE, SHUTDOWN, DEBUG,
//! SLOWLOG, LATENCY, MEMORY, ROLE.
//!
//! There is no RDB: SAVE and BGSAVE succeed without writing a file (the dataset persists
//! through the AOF when `appendonly yes`) and update LASTSAVE.

use std::sync::atomic::Ordering;

use bytes::Bytes;

use crate::args::Args;
use crate::commands::connection::help;
use crate::ctx::Ctx;
use crate::error::{CmdError, CmdResult};
use crate::info;
use crate::shared::ShutdownRequest;
use crate::table::{self, Flags, Group, Spec};

const ADMIN: Flags = Flags::ADMIN.or(Flags::NOSCRIPT);
const ADMIN_LS: Flags = ADMIN.or(Flags::LOADING).or(Flags::STALE);
const HELP_FLAGS: Flags = Flags::LOADING.or(Flags::STALE);
const LS: Flags = Flags::LOADING.or(Flags::STALE);

const fn s(
    name: &'static str,
    arity: i32,
    flags: Flags,
    h: table::Handler,
    summary: &'static str,
    since: &'static str,
) -> Spec {
    Spec::new(name, arity, flags, 0, 0, 0, h).doc(summary, since, Group::Server)
}

const COMMAND_SUBS: &[Spec] = &[
    s(
        "command|count",
        2,
        LS,
        command_count,
        "Get total number of Redis commands",
        "2.8.13",
    ),
    s(
        "command|docs",
        -2,
        LS,
        command_docs,
        "Get array of specific Redis command documentation",
        "7.0.0",
    ),
    s(
        "command|getkeys",
        -4,
        LS,
        command_getkeys,
        "Extract keys given a full Redis command",
        "2.8.13",
    ),
    s(
        "command|getkeysandflags",
        -4,
        LS,
        command_getkeysandflags,
        "Extract keys and access flags given a full Redis command",
        "7.0.0",
    ),
    s(
        "command|help",
        2,
        LS,
        command_help,
        "Show helpful text about the different subcommands",
        "5.0.0",
    ),
    s(
        "command|info",
        -2,
        LS,
        command_info,
        "Get array of specific Redis command details, or all when no argument is given.",
        "2.8.13",
    ),
    s(
        "command|list",
        -2,
        LS,
        command_list,
        "Get an array of Redis command names",
        "7.0.0",
    ),
];

const CONFIG_SUBS: &[Spec] = &[
    s(
        "config|get",
        -3,
        ADMIN_LS,
        config_get,
        "Get the values of configuration parameters",
        "2.0.0",
    ),
    s(
        "config|help",
        2,
        HELP_FLAGS,
        config_help,
        "Show helpful text about the different subcommands",
        "5.0.0",
    ),
    s(
        "config|resetstat",
        2,
        ADMIN_LS,
        config_resetstat,
        "Reset the stats returned by INFO",
        "2.0.0",
    ),
    s(
        "config|rewrite",
        2,
        ADMIN_LS,
        config_rewrite,
        "Rewrite the configuration file with the in memory configuration",
        "2.8.0",
    ),
    s(
        "config|set",
        -4,
        ADMIN_LS,
        config_set,
        "Set configuration parameters to the given values",
        "2.0.0",
    ),
];

const SLOWLOG_SUBS: &[Spec] = &[
    s(
        "slowlog|get",
        -2,
        ADMIN_LS,
        slowlog_get,
        "Get the slow log's entries",
        "2.2.12",
    ),
    s(
        "slowlog|help",
        2,
        HELP_FLAGS,
        slowlog_help,
        "Show helpful text about the different subcommands",
        "6.2.0",
    ),
    s(
        "slowlog|len",
        2,
        ADMIN_LS,
        slowlog_len,
        "Get the slow log's length",
        "2.2.12",
    ),
    s(
        "slowlog|reset",
        2,
        ADMIN_LS,
        slowlog_reset,
        "Clear all entries from the slow log",
        "2.2.12",
    ),
];

const LATENCY_SUBS: &[Spec] = &[
    s(
        "latency|doctor",
        2,
        ADMIN_LS,
        latency_doctor,
        "Return a human readable latency analysis report.",
        "2.8.13",
    ),
    s(
        "latency|graph",
        3,
        ADMIN_LS,
        latency_graph,
        "Return a latency graph for the event.",
        "2.8.13",
    ),
    s(
        "latency|help",
        2,
        HELP_FLAGS,
        latency_help,
        "Show helpful text about the different subcommands.",
        "2.8.13",
    ),
    s(
        "latency|histogram",
        -2,
        ADMIN_LS,
        latency_histogram,
        "Return the cumulative distribution of latencies of a subset of commands or all.",
        "7.0.0",
    ),
    s(
        "latency|history",
        3,
        ADMIN_LS,
        latency_history,
        "Return timestamp-latency samples for the event.",
        "2.8.13",
    ),
    s(
        "latency|latest",
        2,
        ADMIN_LS,
        latency_latest,
        "Return the latest latency samples for all events.",
        "2.8.13",
    ),
    s(
        "latency|reset",
        -2,
        ADMIN_LS,
        latency_reset,
        "Reset latency data for one or more events.",
        "2.8.13",
    ),
];

const MEMORY_SUBS: &[Spec] = &[
    s(
        "memory|doctor",
        2,
        Flags::NONE,
        memory_doctor,
        "Outputs memory problems report",
        "4.0.0",
    ),
    s(
        "memory|help",
        2,
        HELP_FLAGS,
        memory_help,
        "Show helpful text about the different subcommands",
        "4.0.0",
    ),
    s(
        "memory|malloc-stats",
        2,
        Flags::NONE,
        memory_malloc_stats,
        "Show allocator internal stats",
        "4.0.0",
    ),
    s(
        "memory|purge",
        2,
        Flags::NONE,
        memory_purge,
        "Ask the allocator to release memory",
        "4.0.0",
    ),
    s(
        "memory|stats",
        2,
        Flags::NONE,
        memory_stats,
        "Show memory usage details",
        "4.0.0",
    ),
    Spec::new("memory|usage", -3, Flags::READONLY, 2, 2, 1, memory_usage).doc(
        "Estimate the memory usage of a key",
        "4.0.0",
        Group::Server,
    ),
];

/// The server commands.
pub(crate) const TABLE: &[Spec] = &[
    s(
        "info",
        -1,
        LS,
        info_cmd,
        "Get information and statistics about the server",
        "1.0.0",
    ),
    Spec::container("command", -1, COMMAND_SUBS)
        .bare(command_bare)
        .doc(
            "Get array of Redis command details",
            "2.8.13",
            Group::Server,
        ),
    Spec::container("config", -2, CONFIG_SUBS).doc(
        "A container for server configuration commands",
        "2.0.0",
        Group::Server,
    ),
    s(
        "time",
        1,
        LS.or(Flags::FAST),
        time,
        "Return the current server time",
        "2.6.0",
    ),
    s(
        "lastsave",
        1,
        LS.or(Flags::FAST),
        lastsave,
        "Get the UNIX time stamp of the last successful save to disk",
        "1.0.0",
    ),
    s(
        "save",
        1,
        ADMIN.or(Flags::NO_ASYNC_LOADING).or(Flags::NO_MULTI),
        save,
        "Synchronously save the dataset to disk",
        "1.0.0",
    ),
    s(
        "bgsave",
        -1,
        ADMIN.or(Flags::NO_ASYNC_LOADING),
        bgsave,
        "Asynchronously save the dataset to disk",
        "1.0.0",
    ),
    s(
        "shutdown",
        -1,
        ADMIN_LS.or(Flags::NO_MULTI).or(Flags::ALLOW_BUSY),
        shutdown,
        "Synchronously save the dataset to disk and then shut down the server",
        "1.0.0",
    ),
    s(
        "debug",
        -2,
        ADMIN_LS,
        debug,
        "A container for debugging commands",
        "1.0.0",
    ),
    Spec::container("slowlog", -2, SLOWLOG_SUBS).doc(
        "A container for slow log commands",
        "2.2.12",
        Group::Server,
    ),
    Spec::container("latency", -2, LATENCY_SUBS).doc(
        "A container for latency diagnostics commands",
        "2.8.13",
        Group::Server,
    ),
    Spec::container("memory", -2, MEMORY_SUBS).doc(
        "A container for memory diagnostics commands",
        "4.0.0",
        Group::Server,
    ),
    s(
        "role",
        1,
        Flags::NOSCRIPT.or(LS).or(Flags::FAST),
        role,
        "Return the role of the instance in the context of replication",
        "2.8.12",
    ),
];

// ---- INFO ---------------------------------------------------------------------------------

/// INFO [section [section ...]]
fn info_cmd(cx: &mut Ctx<'_>, args: Args<'_>) -> CmdResult {
    let sections: Vec<&[u8]> = args.rest().iter().map(|a| a.as_ref()).collect();
    let text = info::render(cx.shared, &sections);
    cx.out.verbatim(text.as_bytes());
    Ok(())
}

// ---- COMMAND --------------------------------------------------------------------------------

/// The ACL categories of a command: Redis's, or derived from our flags.
fn categories(spec: &Spec) -> Vec<&'static str> {
    match super::keyspec::lookup(spec.name) {
        Some(meta) => meta.categories.to_vec(),
        None => acl_categories(spec),
    }
}

/// ACL categories derived from our flags, for commands Redis 7.0 does not describe (the others
/// take theirs from `keyspec::META`).
fn acl_categories(spec: &Spec) -> Vec<&'static str> {
    let f = spec.flags;
    let mut v = Vec::new();
    let group = spec.group;
    if f.contains(Flags::READONLY) {
        v.push("@read");
    }
    if f.contains(Flags::WRITE) {
        v.push("@write");
    }
    match group {
        Group::Hash => v.push("@hash"),
        Group::String => v.push("@string"),
        _ => {}
    }
    if f.contains(Flags::ADMIN) {
        v.push("@admin");
    }
    if f.contains(Flags::FAST) {
        v.push("@fast");
    } else {
        v.push("@slow");
    }
    if f.contains(Flags::ADMIN) {
        v.push("@dangerous");
    }
    match group {
        Group::Connection => v.push("@connection"),
        Group::Transactions => v.push("@transaction"),
        _ => {}
    }
    v
}

fn write_command_info(cx: &mut Ctx<'_>, spec: &'static Spec) {
    cx.out.array(10);
    cx.out.bulk(spec.name.as_bytes());
    cx.out.int(i64::from(spec.arity));
    let flags: Vec<&str> = spec.flags.names().collect();
    cx.out.set(flags.len());
    for f in flags {
        cx.out.simple(f.as_bytes());
    }
    cx.out.int(i64::from(spec.first_key));
    cx.out.int(i64::from(spec.last_key));
    cx.out.int(i64::from(spec.step));
    match super::keyspec::lookup(spec.name) {
        Some(meta) => super::keyspec::write(cx, meta),
        None => {
            // Not a Redis command: categories from our flags, no tips, no key specs.
            let cats = acl_categories(spec);
            cx.out.set(cats.len());
            for c in cats {
                cx.out.simple(c.as_bytes());
            }
            cx.out.set(0);
            cx.out.array(0);
        }
    }
    cx.out.array(spec.subs.len());
    for sub in spec.subs {
        write_command_info(cx, sub);
    }
}

/// Finds a command or `container|sub` by name.
fn lookup_any(cx: &Ctx<'_>, name: &[u8]) -> Option<&'static Spec> {
    if let Some(pos) = name.iter().position(|&b| b == b'|') {
        let parent = cx.shared.table.get(&name[..pos])?;
        return table::sub(parent, &name[pos + 1..]);
    }
    cx.shared.table.get(name)
}

/// COMMAND [subcommand]: with no subcommand, details of every command.
fn command_all(cx: &mut Ctx<'_>) {
    let all: Vec<&'static Spec> = cx.shared.table.iter().collect();
    cx.out.array(all.len());
    for spec in all {
        write_command_info(cx, spec);
    }
}

/// COMMAND COUNT
fn command_count(cx: &mut Ctx<'_>, _: Args<'_>) -> CmdResult {
    cx.out.int(cx.shared.table.len() as i64);
    Ok(())
}

/// COMMAND INFO [command-name ...]
fn command_info(cx: &mut Ctx<'_>, args: Args<'_>) -> CmdResult {
    if args.is_empty() {
        command_all(cx);
        return Ok(());
    }
    cx.out.array(args.len());
    for name in args.rest() {
        match lookup_any(cx, name) {
            Some(spec) => write_command_info(cx, spec),
            None => cx.out.null(),
        }
    }
    Ok(())
}

fn write_docs(cx: &mut Ctx<'_>, spec: &'static Spec) {
    let has_subs = !spec.subs.is_empty();
    cx.out.map(3 + usize::from(has_subs));
    cx.out.bulk(b"summary");
    cx.out.bulk(spec.summary.as_bytes());
    cx.out.bulk(b"since");
    cx.out.bulk(spec.since.as_bytes());
    cx.out.bulk(b"group");
    cx.out.bulk(spec.group.name().as_bytes());
    if has_subs {
        cx.out.bulk(b"subcommands");
        cx.out.map(spec.subs.len());
        for sub in spec.subs {
            cx.out.bulk(sub.name.as_bytes());
            write_docs(cx, sub);
        }
    }
}

/// COMMAND DOCS [command-name ...]
fn command_docs(cx: &mut Ctx<'_>, args: Args<'_>) -> CmdResult {
    let specs: Vec<&'static Spec> = if args.is_empty() {
        cx.shared.table.iter().collect()
    } else {
        args.rest()
            .iter()
            .filter_map(|n| lookup_any(cx, n))
            .collect()
    };
    cx.out.map(specs.len());
    for spec in specs {
        cx.out.bulk(spec.name.as_bytes());
        write_docs(cx, spec);
    }
    Ok(())
}

/// COMMAND LIST [FILTERBY MODULE name | ACLCAT category | PATTERN pattern]
fn command_list(cx: &mut Ctx<'_>, mut args: Args<'_>) -> CmdResult {
    enum Filter<'a> {
        None,
        Module,
        Cat(&'a [u8]),
        Pattern(&'a [u8]),
    }
    let filter = if args.is_empty() {
        Filter::None
    } else {
        if !args.eat("filterby") || args.len() != 2 {
            return Err(CmdError::Syntax);
        }
        let kind = args.bytes()?;
        let val = args.bytes()?;
        if kind.eq_ignore_ascii_case(b"module") {
            Filter::Module
        } else if kind.eq_ignore_ascii_case(b"aclcat") {
            Filter::Cat(val)
        } else if kind.eq_ignore_ascii_case(b"pattern") {
            Filter::Pattern(val)
        } else {
            return Err(CmdError::Syntax);
        }
    };
    let mut names: Vec<&'static str> = Vec::new();
    for spec in cx.shared.table.iter() {
        for s in std::iter::once(spec).chain(spec.subs.iter()) {
            let keep = match filter {
                Filter::None => true,
                Filter::Module => false,
                Filter::Cat(c) => categories(s)
                    .iter()
                    .any(|cat| cat.as_bytes()[1..].eq_ignore_ascii_case(c)),
                Filter::Pattern(p) => crate::glob::matches(p, s.name.as_bytes(), true),
            };
            if keep {
                names.push(s.name);
            }
        }
    }
    cx.out.array(names.len());
    for n in names {
        cx.out.bulk(n.as_bytes());
    }
    Ok(())
}

fn getkeys(cx: &mut Ctx<'_>, args: Args<'_>) -> Result<(Vec<Bytes>, &'static Spec), CmdError> {
    let argv = args.rest();
    let Ok((spec, _)) = crate::dispatch::resolve(cx.shared, argv) else {
        return Err(match cx.shared.table.get(&argv[0]) {
            None => CmdError::Err("Invalid command specified"),
            Some(_) => CmdError::Err("Invalid number of arguments specified for command"),
        });
    };
    let keys: Vec<Bytes> = spec
        .key_positions(argv.len())
        .filter_map(|i| argv.get(i).cloned())
        .collect();
    if keys.is_empty() {
        return Err(CmdError::Err("The command has no key arguments"));
    }
    Ok((keys, spec))
}

/// COMMAND GETKEYS command [arg ...]
fn command_getkeys(cx: &mut Ctx<'_>, args: Args<'_>) -> CmdResult {
    let (keys, _) = getkeys(cx, args)?;
    cx.out.bulks(&keys);
    Ok(())
}

/// COMMAND GETKEYSANDFLAGS command [arg ...]
fn command_getkeysandflags(cx: &mut Ctx<'_>, args: Args<'_>) -> CmdResult {
    let (keys, spec) = getkeys(cx, args)?;
    cx.out.array(keys.len());
    for k in keys {
        cx.out.array(2);
        cx.out.bulk(&k);
        cx.out.set(2);
        if spec.flags.contains(Flags::WRITE) {
            cx.out.simple(b"RW");
            cx.out.simple(b"update");
        } else {
            cx.out.simple(b"RO");
            cx.out.simple(b"access");
        }
    }
    Ok(())
}

/// COMMAND HELP
fn command_help(cx: &mut Ctx<'_>, _: Args<'_>) -> CmdResult {
    help(
        cx,
        &[
            "COMMAND <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
            "(no subcommand)",
            "    Return details about all Redis commands.",
            "COUNT",
            "    Return the total number of commands in this Redis server.",
            "LIST",
            "    Return a list of all commands in this Redis server.",
            "INFO [<command-name> ...]",
            "    Return details about multiple Redis commands.",
            "    If no command names are given, documentation details for all",
            "    commands are returned.",
            "DOCS [<command-name> ...]",
            "    Return documentation details about multiple Redis commands.",
            "    If no command names are given, documentation details for all",
            "    commands are returned.",
            "GETKEYS <full-command>",
            "    Return the keys from a full Redis command.",
            "GETKEYSANDFLAGS <full-command>",
            "    Return the keys and the access flags from a full Redis command.",
            "HELP",
            "    Prints this help.",
        ],
    );
    Ok(())
}

/// Handles bare `COMMAND` (the dispatcher resolves subcommands only with 2+ words).
pub(crate) fn command_bare(cx: &mut Ctx<'_>, _: Args<'_>) -> CmdResult {
    command_all(cx);
    Ok(())
}

// ---- CONFIG ---------------------------------------------------------------------------------

/// CONFIG GET parameter [parameter ...]
fn config_get(cx: &mut Ctx<'_>, args: Args<'_>) -> CmdResult {
    let pats: Vec<&[u8]> = args.rest().iter().map(|a| a.as_ref()).collect();
    let mut pairs: Vec<(&[u8], String)> = Vec::new();
    {
        let config = cx.shared.config.read();
        for pat in pats {
            if pat.iter().any(|c| b"[*?".contains(c)) {
                for (k, v) in config.get_matching(&[pat]) {
                    if !pairs
                        .iter()
                        .any(|(n, _)| n.eq_ignore_ascii_case(k.as_bytes()))
                    {
                        pairs.push((k.as_bytes(), v));
                    }
                }
            } else if !pairs.iter().any(|(n, _)| n.eq_ignore_ascii_case(pat)) {
                // Without a glob Redis looks the name up and replies with it as given.
                if let Some((_, v)) = config.get_matching(&[pat]).into_iter().next() {
                    pairs.push((pat, v));
                }
            }
        }
    }
    cx.out.map(pairs.len());
    for (k, v) in pairs {
        cx.out.bulk(k);
        cx.out.bulk(v.as_bytes());
    }
    Ok(())
}

/// CONFIG SET parameter value [parameter value ...]
fn config_set(cx: &mut Ctx<'_>, args: Args<'_>) -> CmdResult {
    let rest = args.rest();
    if rest.len() % 2 != 0 {
        return Err(CmdError::Syntax);
    }
    let pairs: Vec<(&[u8], &[u8])> = rest
        .chunks(2)
        .map(|p| (p[0].as_ref(), p[1].as_ref()))
        .collect();
    let changed = cx.shared.config.write().set_many(&pairs)?;
    cx.shared.config_changed(&changed);
    cx.out.ok();
    Ok(())
}

/// CONFIG RESETSTAT
fn config_resetstat(cx: &mut Ctx<'_>, _: Args<'_>) -> CmdResult {
    cx.shared.stats.reset();
    cx.shared.store.reset_stats();
    cx.shared.slowlog.reset();
    cx.out.ok();
    Ok(())
}

/// CONFIG REWRITE: the original file followed by every non-default directive (later lines win).
fn config_rewrite(cx: &mut Ctx<'_>, _: Args<'_>) -> CmdResult {
    let cfg = cx.shared.config.read().clone();
    let Some(path) = cfg.file.clone() else {
        return Err(CmdError::NoConfigFile);
    };
    let original = std::fs::read_to_string(&path).unwrap_or_default();
    let marker = "# Generated by CONFIG REWRITE";
    let kept = match original.find(marker) {
        Some(i) => &original[..i],
        None => &original,
    };
    let mut text = kept.trim_end().to_owned();
    text.push('\n');
    text.push_str(&cfg.to_file_text());
    let tmp = path.with_extension("rewrite.tmp");
    std::fs::write(&tmp, text)
        .and_then(|_| std::fs::rename(&tmp, &path))
        .map_err(|e| CmdError::ErrOwned(format!("Rewriting config file: {e}")))?;
    tracing::info!("CONFIG REWRITE executed with success.");
    cx.out.ok();
    Ok(())
}

/// CONFIG HELP
fn config_help(cx: &mut Ctx<'_>, _: Args<'_>) -> CmdResult {
    help(
        cx,
        &[
            "CONFIG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
            "GET <pattern>",
            "    Return parameters matching the glob-like <pattern> and their values.",
            "SET <directive> <value>",
            "    Set the configuration <directive> to <value>.",
            "RESETSTAT",
            "    Reset statistics reported by the INFO command.",
            "REWRITE",
            "    Rewrite the configuration file.",
            "HELP",
            "    Prints this help.",
        ],
    );
    Ok(())
}

// ---- TIME, LASTSAVE, SAVE, BGSAVE, SHUTDOWN, ROLE -------------------------------------------

/// TIME
fn time(cx: &mut Ctx<'_>, _: Args<'_>) -> CmdResult {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default();
    cx.out.array(2);
    cx.out.bulk_int(now.as_secs() as i64);
    cx.out.bulk_int(i64::from(now.subsec_micros()));
    Ok(())
}

/// LASTSAVE
fn lastsave(cx: &mut Ctx<'_>, _: Args<'_>) -> CmdResult {
    cx.out
        .int(cx.shared.last_save.load(Ordering::Relaxed) as i64);
    Ok(())
}

fn mark_saved(cx: &Ctx<'_>) {
    let now = cx.now_ms() / 1000;
    cx.shared.last_save.store(now, Ordering::Relaxed);
    cx.shared.stats.dirty.reset();
}

/// SAVE (no RDB: succeeds without writing a file)
fn save(cx: &mut Ctx<'_>, _: Args<'_>) -> CmdResult {
    mark_saved(cx);
    cx.out.ok();
    Ok(())
}

/// BGSAVE [SCHEDULE]
fn bgsave(cx: &mut Ctx<'_>, mut args: Args<'_>) -> CmdResult {
    if args.eat("schedule") {
        if !args.is_empty() {
            return Err(CmdError::Syntax);
        }
        mark_saved(cx);
        cx.out.simple(b"Background saving scheduled");
        return Ok(());
    }
    if !args.is_empty() {
        return Err(CmdError::Syntax);
    }
    mark_saved(cx);
    cx.out.simple(b"Background saving started");
    Ok(())
}

/// SHUTDOWN [NOSAVE | SAVE] [NOW] [FORCE] [ABORT]
fn shutdown(cx: &mut Ctx<'_>, args: Args<'_>) -> CmdResult {
    let mut req = ShutdownRequest::default();
    let mut abort = false;
    for a in args.rest() {
        if a.eq_ignore_ascii_case(b"nosave") {
            req.nosave = true;
        } else if a.eq_ignore_ascii_case(b"save") {
            req.save = true;
        } else if a.eq_ignore_ascii_case(b"now") || a.eq_ignore_ascii_case(b"force") {
        } else if a.eq_ignore_ascii_case(b"abort") {
            abort = true;
        } else {
            return Err(CmdError::Syntax);
        }
    }
    if (req.nosave && req.save) || (abort && args.len() > 1) {
        return Err(CmdError::Syntax);
    }
    if abort {
        return Err(CmdError::Err("No shutdown in progress."));
    }
    tracing::warn!("User requested shutdown...");
    cx.shared.request_shutdown(req);
    // Redis sends no reply: the connection closes.
    cx.client.close_after_reply = true;
    Ok(())
}

/// ROLE
fn role(cx: &mut Ctx<'_>, _: Args<'_>) -> CmdResult {
    cx.out.array(3);
    cx.out.bulk(b"master");
    cx.out.int(0);
    cx.out.array(0);
    Ok(())
}

// ---- DEBUG ----------------------------------------------------------------------------------

/// DEBUG subcommand [arg ...] (needs `enable-debug-command yes`)
fn debug(cx: &mut Ctx<'_>, args: Args<'_>) -> CmdResult {
    if !cx.shared.config.read().debug_enabled() {
        return Err(CmdError::DebugDisabled);
    }
    let argv = args.rest();
    let hook = cx.shared.debug_hook.read().clone();
    if let Some(hook) = hook {
        if let Some(r) = hook(cx, argv) {
            return r;
        }
    }
    let sub = &argv[0];
    let n = argv.len();
    let is = |name: &str| sub.eq_ignore_ascii_case(name.as_bytes());
    if is("help") && n == 1 {
        help(cx, DEBUG_HELP);
    } else if is("sleep") && n == 2 {
        let secs = crate::args::parse_f64(&argv[1]).unwrap_or(0.0).max(0.0);
        std::thread::sleep(std::time::Duration::from_secs_f64(secs.min(3600.0)));
        cx.out.ok();
    } else if is("set-active-expire") && n == 2 {
        let on = crate::args::parse_i64(&argv[1]).unwrap_or(1) != 0;
        cx.shared.active_expire.store(on, Ordering::Relaxed);
        cx.out.ok();
    } else if is("object") && n == 2 {
        let db = cx.db();
        let Some(enc) = db.object_encoding(&argv[1]) else {
            return Err(CmdError::NoSuchKey);
        };
        let idle = db.object_idletime(&argv[1]).unwrap_or(0);
        let size = db
            .get_value(&argv[1])
            .map(|(v, _)| value_size(&v))
            .unwrap_or(0);
        let refcount = if enc.as_str() == "int" { 2147483647 } else { 1 };
        let text = format!(
            "Value at:0x7f0000000000 refcount:{refcount} encoding:{} serializedlength:{size} lru:0 lru_seconds_idle:{idle}",
            enc.as_str()
        );
        cx.out.simple(text.as_bytes());
    } else if is("digest") && n == 1 {
        let d = crate::digest::dataset(cx.store());
        cx.out.simple(d.as_bytes());
    } else if is("digest-value") {
        cx.out.array(n - 1);
        for key in &argv[1..] {
            let d = crate::digest::key(&cx.db(), key);
            cx.out.simple(d.as_bytes());
        }
    } else if is("log") && n == 2 {
        tracing::warn!("DEBUG LOG: {}", String::from_utf8_lossy(&argv[1]));
        cx.out.ok();
    } else if is("error") && n == 2 {
        return Err(CmdError::Line(
            String::from_utf8_lossy(&argv[1]).into_owned().into(),
        ));
    } else if (is("change-repl-id") && n == 1)
        || ((is("quicklist-packed-threshold") || is("set-skip-checksum-validation")) && n == 2)
    {
        // Accepted for test suites; nothing here to tune.
        cx.out.ok();
    } else {
        return Err(CmdError::ErrOwned(format!(
            "unknown subcommand or wrong number of arguments for '{}'. Try DEBUG HELP.",
            String::from_utf8_lossy(sub)
        )));
    }
    Ok(())
}

fn value_size(v: &store::Value) -> usize {
    match v {
        store::Value::String(s) => s.len(),
        store::Value::Hash(pairs) => pairs.iter().map(|(f, v)| f.len() + v.len() + 2).sum(),
    }
}

const DEBUG_HELP: &[&str] = &[
    "DEBUG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
    "AOF-FLUSH-SLEEP <microsec>",
    "    Server will sleep before flushing the AOF, this is used for testing.",
    "CHANGE-REPL-ID",
    "    Change the replication IDs of the instance.",
    "    Dangerous: should be used only for testing the replication subsystem.",
    "DIGEST",
    "    Output a hex signature representing the current DB content.",
    "DIGEST-VALUE <key> [<key> ...]",
    "    Output a hex signature of the values of all the specified keys.",
    "ERROR <string>",
    "    Return a Redis protocol error with <string> as message. Useful for clients",
    "    unit tests to simulate Redis errors.",
    "LOG <message>",
    "    Write <message> to the server log.",
    "LOADAOF",
    "    Flush the AOF buffers on disk and reload the AOF in memory.",
    "OBJECT <key>",
    "    Show low level info about `key` and associated value.",
    "SET-ACTIVE-EXPIRE <0|1>",
    "    Setting it to 0 disables expiring keys in background when they are not",
    "    accessed (otherwise the Redis behavior). Setting it to 1 reenables back the",
    "    default.",
    "SLEEP <seconds>",
    "    Stop the server for <seconds>. Decimals allowed.",
    "HELP",
    "    Prints this help.",
];

// ---- SLOWLOG --------------------------------------------------------------------------------

/// SLOWLOG GET [count]
fn slowlog_get(cx: &mut Ctx<'_>, mut args: Args<'_>) -> CmdResult {
    let count = match args.next() {
        None => 10,
        Some(a) => {
            let n = crate::args::parse_i64(a)
                .filter(|&n| n >= -1)
                .ok_or(CmdError::Err("count should be greater than or equal to -1"))?;
            if n == -1 {
                usize::MAX
            } else {
                n as usize
            }
        }
    };
    let entries = cx.shared.slowlog.get(count);
    cx.out.array(entries.len());
    for e in entries {
        cx.out.array(6);
        cx.out.int(e.id as i64);
        cx.out.int(e.time as i64);
        cx.out.int(e.micros as i64);
        cx.out.bulks(&e.argv);
        cx.out.bulk(e.addr.as_bytes());
        cx.out.bulk(&e.name);
    }
    Ok(())
}

/// SLOWLOG LEN
fn slowlog_len(cx: &mut Ctx<'_>, _: Args<'_>) -> CmdResult {
    cx.out.int(cx.shared.slowlog.len() as i64);
    Ok(())
}

/// SLOWLOG RESET
fn slowlog_reset(cx: &mut Ctx<'_>, _: Args<'_>) -> CmdResult {
    cx.shared.slowlog.reset();
    cx.out.ok();
    Ok(())
}

/// SLOWLOG HELP
fn slowlog_help(cx: &mut Ctx<'_>, _: Args<'_>) -> CmdResult {
    help(
        cx,
        &[
            "SLOWLOG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
            "GET [<count>]",
            "    Return top <count> entries from the slowlog (default: 10, -1 mean all).",
            "    Entries are made of:",
            "    id, timestamp, time in microseconds, arguments array, client IP and port,",
            "    client name",
            "LEN",
            "    Return the length of the slowlog.",
            "RESET",
            "    Reset the slowlog.",
            "HELP",
            "    Prints this help.",
        ],
    );
    Ok(())
}

// ---- LATENCY (no latency monitor: empty but valid replies) ----------------------------------

/// LATENCY LATEST
fn latency_latest(cx: &mut Ctx<'_>, _: Args<'_>) -> CmdResult {
    cx.out.array(0);
    Ok(())
}

/// LATENCY HISTORY event
fn latency_history(cx: &mut Ctx<'_>, _: Args<'_>) -> CmdResult {
    cx.out.array(0);
    Ok(())
}

/// LATENCY RESET [event ...]
fn latency_reset(cx: &mut Ctx<'_>, _: Args<'_>) -> CmdResult {
    cx.out.int(0);
    Ok(())
}

/// LATENCY GRAPH event
fn latency_graph(_: &mut Ctx<'_>, args: Args<'_>) -> CmdResult {
    let event = args.rest().first().cloned().unwrap_or_default();
    Err(CmdError::ErrOwned(format!(
        "No samples available for event '{}'",
        String::from_utf8_lossy(&event)
    )))
}

/// LATENCY HISTOGRAM [command ...]
fn latency_histogram(cx: &mut Ctx<'_>, _: Args<'_>) -> CmdResult {
    cx.out.map(0);
    Ok(())
}

/// LATENCY DOCTOR
fn latency_doctor(cx: &mut Ctx<'_>, _: Args<'_>) -> CmdResult {
    cx.out.verbatim(b"I'm sorry, Dave, I can't do that. Latency monitoring is disabled in this Redis instance. You may use \"CONFIG SET latency-monitor-threshold <milliseconds>.\" in order to enable it. If we weren't in a deep space mission I'd suggest to take a look at https://redis.io/topics/latency-monitor.\n");
    Ok(())
}

/// LATENCY HELP
fn latency_help(cx: &mut Ctx<'_>, _: Args<'_>) -> CmdResult {
    help(
        cx,
        &[
            "LATENCY <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
            "DOCTOR",
            "    Return a human readable latency analysis report.",
            "GRAPH <event>",
            "    Return an ASCII latency graph for the <event> class.",
            "HISTORY <event>",
            "    Return time-latency samples for the <event> class.",
            "LATEST",
            "    Return the latest latency samples for all events.",
            "RESET [<event> ...]",
            "    Reset latency data of one or more <event> classes.",
            "    (default: reset all data for all event classes)",
            "HISTOGRAM [COMMAND ...]",
            "    Return a cumulative distribution of latencies in the format of a histogram for the specified command names.",
            "    If no commands are specified then all histograms are replied.",
            "HELP",
            "    Prints this help.",
        ],
    );
    Ok(())
}

// ---- MEMORY ---------------------------------------------------------------------------------

/// MEMORY USAGE key [SAMPLES count]
fn memory_usage(cx: &mut Ctx<'_>, mut args: Args<'_>) -> CmdResult {
    let key = args.key()?;
    while let Some(opt) = args.next() {
        if opt.eq_ignore_ascii_case(b"samples") {
            args.i64()?;
        } else {
            return Err(CmdError::Syntax);
        }
    }
    match cx.db().get_value(key) {
        None => cx.out.null(),
        Some((v, _)) => {
            // Approximate: key + value payload + per-entry overhead like Redis's dictEntry,
            // robj and sds headers.
            let size = key.len()
                + value_size(&v)
                + 40
                + match v {
                    store::Value::Hash(ref p) => 16 * p.len(),
                    store::Value::String(_) => 0,
                };
            cx.out.int(size as i64);
        }
    }
    Ok(())
}

/// MEMORY STATS
fn memory_stats(cx: &mut Ctx<'_>, _: Args<'_>) -> CmdResult {
    let used = cx.store().used_memory() as i64;
    let keys: usize = (0..cx.store().databases())
        .map(|i| cx.store().db(i).dbsize())
        .sum();
    let fields: [(&str, i64); 8] = [
        ("peak.allocated", used),
        ("total.allocated", used),
        ("startup.allocated", 0),
        ("replication.backlog", 0),
        ("clients.slaves", 0),
        ("clients.normal", 0),
        ("aof.buffer", 0),
        ("keys.count", keys as i64),
    ];
    cx.out.map(fields.len() + 1);
    for (k, v) in fields {
        cx.out.bulk(k.as_bytes());
        cx.out.int(v);
    }
    cx.out.bulk(b"dataset.bytes");
    cx.out.int(used);
    Ok(())
}

/// MEMORY DOCTOR
fn memory_doctor(cx: &mut Ctx<'_>, _: Args<'_>) -> CmdResult {
    cx.out.verbatim(b"Hi Sam, I can't find any memory issue in your instance. I can only account for what occurs on this base.");
    Ok(())
}

/// MEMORY MALLOC-STATS
fn memory_malloc_stats(cx: &mut Ctx<'_>, _: Args<'_>) -> CmdResult {
    cx.out
        .verbatim(b"Stats not supported for the current allocator");
    Ok(())
}

/// MEMORY PURGE
fn memory_purge(cx: &mut Ctx<'_>, _: Args<'_>) -> CmdResult {
    cx.out.ok();
    Ok(())
}

/// MEMORY HELP
fn memory_help(cx: &mut Ctx<'_>, _: Args<'_>) -> CmdResult {
    help(
        cx,
        &[
            "MEMORY <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
            "DOCTOR",
            "    Return memory problems reports.",
            "MALLOC-STATS",
            "    Return internal statistics report from the memory allocator.",
            "PURGE",
            "    Attempt to purge dirty pages for reclamation by the allocator.",
            "STATS",
            "    Return information about the memory usage of the server.",
            "USAGE <key> [SAMPLES <count>]",
            "    Return memory in bytes used by <key> and its value. Nested values are",
            "    sampled up to <count> times (default: 5, 0 means sample all).",
            "HELP",
            "    Prints this help.",
        ],
    );
    Ok(())
}
