//! Configuration: every directive of Redis 7.0's `redis.conf`, the file syntax, and CONFIG
//! GET/SET.
//!
//! [`Config`] keeps one canonical text value per directive (what CONFIG GET prints) in a table
//! ordered like Redis's; typed getters parse it on demand (the hot path reads nothing from
//! here). Directives that do not apply to this server (RDB, replication, cluster, TLS, Lua,
//! modules) are validated, stored and reported, and otherwise ignored.
//!
//! The same parser reads a config file, `--directive value` command-line flags (appended after
//! the file, as Redis does) and CONFIG SET.

use std::path::{Path, PathBuf};

/// A configuration error, with Redis's texts.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigError {
    /// A bad line: printed as Redis's `*** FATAL CONFIG FILE ERROR ***` block.
    #[error("\n*** FATAL CONFIG FILE ERROR (Redis 7.0.15) ***\nReading the configuration file, at line {line}\n>>> '{text}'\n{reason}")]
    Line {
        /// 1-based line number in the combined file + flags text.
        line: usize,
        /// The line.
        text: String,
        /// Redis's reason (`Bad directive or wrong number of arguments`).
        reason: String,
    },
    /// The file cannot be read.
    #[error("Fatal error, can't open config file '{path}': {source}")]
    Open {
        /// The path as given.
        path: String,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
}

/// Why a value was refused (the text after `- ` in CONFIG SET errors).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invalid(pub String);

/// The kind of a directive's value.
#[derive(Debug, Clone, Copy)]
enum Kind {
    /// `yes` / `no`.
    Bool,
    /// An integer in `min..=max`.
    Int(i64, i64),
    /// A memory size (`1kb`, `64mb`), printed in bytes.
    Mem(i64, i64),
    /// One of the names.
    Enum(&'static [&'static str]),
    /// Any string.
    Str,
    /// A directive with its own syntax.
    Special(Special),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Special {
    Bind,
    Save,
    ClientOutputBufferLimit,
    OomScoreAdjValues,
    NotifyKeyspaceEvents,
    Replicaof,
    Percentiles,
    Octal,
    Dir,
    ShutdownFlags,
}

const IMMUTABLE: u8 = 1;
const PROTECTED: u8 = 2;

/// One directive: its name, an alias (old name), kind, default and flags.
#[derive(Debug)]
struct Directive {
    name: &'static str,
    alias: Option<&'static str>,
    kind: Kind,
    default: &'static str,
    flags: u8,
}

const fn d(name: &'static str, kind: Kind, default: &'static str) -> Directive {
    Directive {
        name,
        alias: None,
        kind,
        default,
        flags: 0,
    }
}
const fn imm(mut x: Directive) -> Directive {
    x.flags |= IMMUTABLE;
    x
}
const fn prot(mut x: Directive) -> Directive {
    x.flags |= PROTECTED;
    x
}
const fn alias(mut x: Directive, a: &'static str) -> Directive {
    x.alias = Some(a);
    x
}

const INT_MAX: i64 = i32::MAX as i64;
const LONG_MAX: i64 = i64::MAX;
const UINT_MAX: i64 = u32::MAX as i64;
const NN: Kind = Kind::Int(0, INT_MAX);
const NL: Kind = Kind::Int(0, LONG_MAX);
const MEM: Kind = Kind::Mem(0, LONG_MAX);
const B: Kind = Kind::Bool;
const S: Kind = Kind::Str;
const YNL: Kind = Kind::Enum(&["no", "yes", "local"]);

/// Every directive Redis 7.0.15 has (CONFIG GET * lists them), in alphabetical order.
static DIRECTIVES: &[Directive] = &[
    d(
        "acl-pubsub-default",
        Kind::Enum(&["allchannels", "resetchannels"]),
        "resetchannels",
    ),
    imm(d("aclfile", S, "")),
    d("acllog-max-len", NL, "128"),
    d("active-defrag-cycle-max", Kind::Int(1, 99), "25"),
    d("active-defrag-cycle-min", Kind::Int(1, 99), "1"),
    d("active-defrag-ignore-bytes", MEM, "104857600"),
    d("active-defrag-max-scan-fields", NL, "1000"),
    d("active-defrag-threshold-lower", Kind::Int(0, 1000), "10"),
    d("active-defrag-threshold-upper", Kind::Int(0, 1000), "100"),
    d("active-expire-effort", Kind::Int(1, 10), "1"),
    d("activedefrag", B, "no"),
    d("activerehashing", B, "yes"),
    imm(d("always-show-logo", B, "no")),
    d("aof-disable-auto-gc", B, "no"),
    d("aof-load-truncated", B, "yes"),
    d("aof-rewrite-incremental-fsync", B, "yes"),
    d("aof-timestamp-enabled", B, "no"),
    d("aof-use-rdb-preamble", B, "yes"),
    imm(d("aof_rewrite_cpulist", S, "")),
    imm(d("appenddirname", S, "appendonlydir")),
    imm(d("appendfilename", S, "appendonly.aof")),
    d(
        "appendfsync",
        Kind::Enum(&["everysec", "always", "no"]),
        "everysec",
    ),
    d("appendonly", B, "no"),
    d("auto-aof-rewrite-min-size", MEM, "67108864"),
    d("auto-aof-rewrite-percentage", NN, "100"),
    imm(d("bgsave_cpulist", S, "")),
    d("bind", Kind::Special(Special::Bind), "127.0.0.1 -::1"),
    d("bind-source-addr", S, ""),
    imm(d("bio_cpulist", S, "")),
    alias(d("busy-reply-threshold", NL, "5000"), "lua-time-limit"),
    d(
        "client-output-buffer-limit",
        Kind::Special(Special::ClientOutputBufferLimit),
        "normal 0 0 0 slave 268435456 67108864 60 pubsub 33554432 8388608 60",
    ),
    d(
        "client-query-buffer-limit",
        Kind::Mem(1024 * 1024, LONG_MAX),
        "1073741824",
    ),
    d("cluster-allow-pubsubshard-when-down", B, "yes"),
    d("cluster-allow-reads-when-down", B, "no"),
    d("cluster-allow-replica-migration", B, "yes"),
    d("cluster-announce-bus-port", Kind::Int(0, 65535), "0"),
    d("cluster-announce-hostname", S, ""),
    d("cluster-announce-ip", S, ""),
    d("cluster-announce-port", Kind::Int(0, 65535), "0"),
    d("cluster-announce-tls-port", Kind::Int(0, 65535), "0"),
    imm(d("cluster-config-file", S, "nodes.conf")),
    imm(d("cluster-enabled", B, "no")),
    d("cluster-link-sendbuf-limit", MEM, "0"),
    d("cluster-migration-barrier", NN, "1"),
    d("cluster-node-timeout", NL, "15000"),
    imm(d("cluster-port", Kind::Int(0, 65535), "0")),
    d(
        "cluster-preferred-endpoint-type",
        Kind::Enum(&["ip", "hostname", "unknown-endpoint"]),
        "ip",
    ),
    alias(
        d("cluster-replica-no-failover", B, "no"),
        "cluster-slave-no-failover",
    ),
    alias(
        d("cluster-replica-validity-factor", NN, "10"),
        "cluster-slave-validity-factor",
    ),
    d("cluster-require-full-coverage", B, "yes"),
    d("crash-log-enabled", B, "yes"),
    d("crash-memcheck-enabled", B, "yes"),
    imm(d("daemonize", B, "no")),
    imm(d("databases", Kind::Int(1, INT_MAX), "16")),
    prot(d("dbfilename", S, "dump.rdb")),
    prot(d("dir", Kind::Special(Special::Dir), ".")),
    imm(d("disable-thp", B, "yes")),
    d("dynamic-hz", B, "yes"),
    imm(d("enable-debug-command", YNL, "no")),
    imm(d("enable-module-command", YNL, "no")),
    imm(d("enable-protected-configs", YNL, "no")),
    alias(
        d("hash-max-listpack-entries", NL, "512"),
        "hash-max-ziplist-entries",
    ),
    alias(
        d("hash-max-listpack-value", MEM, "64"),
        "hash-max-ziplist-value",
    ),
    d("hll-sparse-max-bytes", MEM, "3000"),
    d("hz", NN, "10"),
    d("ignore-warnings", S, ""),
    imm(d("io-threads", Kind::Int(1, 128), "1")),
    imm(d("io-threads-do-reads", B, "no")),
    d("jemalloc-bg-thread", B, "yes"),
    d("latency-monitor-threshold", NL, "0"),
    d("latency-tracking", B, "yes"),
    d(
        "latency-tracking-info-percentiles",
        Kind::Special(Special::Percentiles),
        "50 99 99.9",
    ),
    d("lazyfree-lazy-eviction", B, "no"),
    d("lazyfree-lazy-expire", B, "no"),
    d("lazyfree-lazy-server-del", B, "no"),
    d("lazyfree-lazy-user-del", B, "no"),
    d("lazyfree-lazy-user-flush", B, "no"),
    d("lfu-decay-time", NN, "1"),
    d("lfu-log-factor", NN, "10"),
    d("list-compress-depth", NN, "0"),
    alias(
        d(
            "list-max-listpack-size",
            Kind::Int(i32::MIN as i64, INT_MAX),
            "-2",
        ),
        "list-max-ziplist-size",
    ),
    imm(d("logfile", S, "")),
    d(
        "loglevel",
        Kind::Enum(&["debug", "verbose", "notice", "warning"]),
        "notice",
    ),
    d("masterauth", S, ""),
    d("masteruser", S, ""),
    d("maxclients", Kind::Int(1, UINT_MAX), "10000"),
    d("maxmemory", MEM, "0"),
    d("maxmemory-clients", MEM, "0"),
    d("maxmemory-eviction-tenacity", Kind::Int(0, 100), "10"),
    d(
        "maxmemory-policy",
        Kind::Enum(&[
            "volatile-lru",
            "volatile-lfu",
            "volatile-random",
            "volatile-ttl",
            "allkeys-lru",
            "allkeys-lfu",
            "allkeys-random",
            "noeviction",
        ]),
        "noeviction",
    ),
    d("maxmemory-samples", Kind::Int(1, 64), "5"),
    alias(d("min-replicas-max-lag", NN, "10"), "min-slaves-max-lag"),
    alias(d("min-replicas-to-write", NN, "0"), "min-slaves-to-write"),
    d("no-appendfsync-on-rewrite", B, "no"),
    d(
        "notify-keyspace-events",
        Kind::Special(Special::NotifyKeyspaceEvents),
        "",
    ),
    d(
        "oom-score-adj",
        Kind::Enum(&["no", "yes", "relative", "absolute"]),
        "no",
    ),
    d(
        "oom-score-adj-values",
        Kind::Special(Special::OomScoreAdjValues),
        "0 200 800",
    ),
    imm(d("pidfile", S, "")),
    d("port", Kind::Int(0, 65535), "6379"),
    d(
        "proc-title-template",
        S,
        "{title} {listen-addr} {server-mode}",
    ),
    d(
        "propagation-error-behavior",
        Kind::Enum(&["ignore", "panic", "panic-on-replicas"]),
        "ignore",
    ),
    d("protected-mode", B, "yes"),
    d(
        "proto-max-bulk-len",
        Kind::Mem(1024 * 1024, LONG_MAX),
        "536870912",
    ),
    d("rdb-del-sync-files", B, "no"),
    d("rdb-save-incremental-fsync", B, "yes"),
    d("rdbchecksum", B, "yes"),
    d("rdbcompression", B, "yes"),
    d("repl-backlog-size", Kind::Mem(1, LONG_MAX), "1048576"),
    d("repl-backlog-ttl", NL, "3600"),
    d("repl-disable-tcp-nodelay", B, "no"),
    d(
        "repl-diskless-load",
        Kind::Enum(&["disabled", "on-empty-db", "swapdb"]),
        "disabled",
    ),
    d("repl-diskless-sync", B, "yes"),
    d("repl-diskless-sync-delay", NN, "5"),
    d("repl-diskless-sync-max-replicas", NN, "0"),
    alias(
        d("repl-ping-replica-period", Kind::Int(1, INT_MAX), "10"),
        "repl-ping-slave-period",
    ),
    d("repl-timeout", Kind::Int(1, INT_MAX), "60"),
    alias(d("replica-announce-ip", S, ""), "slave-announce-ip"),
    alias(
        d("replica-announce-port", Kind::Int(0, 65535), "0"),
        "slave-announce-port",
    ),
    d("replica-announced", B, "yes"),
    d("replica-ignore-disk-write-errors", B, "no"),
    alias(
        d("replica-ignore-maxmemory", B, "yes"),
        "slave-ignore-maxmemory",
    ),
    alias(d("replica-lazy-flush", B, "no"), "slave-lazy-flush"),
    alias(d("replica-priority", NN, "100"), "slave-priority"),
    alias(d("replica-read-only", B, "yes"), "slave-read-only"),
    alias(
        d("replica-serve-stale-data", B, "yes"),
        "slave-serve-stale-data",
    ),
    alias(
        d("replicaof", Kind::Special(Special::Replicaof), ""),
        "slaveof",
    ),
    d("requirepass", S, ""),
    d(
        "sanitize-dump-payload",
        Kind::Enum(&["no", "yes", "clients"]),
        "no",
    ),
    d(
        "save",
        Kind::Special(Special::Save),
        "3600 1 300 100 60 10000",
    ),
    imm(d("server_cpulist", S, "")),
    d("set-max-intset-entries", NL, "512"),
    d("set-proc-title", B, "yes"),
    d(
        "shutdown-on-sigint",
        Kind::Special(Special::ShutdownFlags),
        "default",
    ),
    d(
        "shutdown-on-sigterm",
        Kind::Special(Special::ShutdownFlags),
        "default",
    ),
    d("shutdown-timeout", NN, "10"),
    d("slowlog-log-slower-than", Kind::Int(-1, LONG_MAX), "10000"),
    d("slowlog-max-len", NL, "128"),
    d("socket-mark-id", NN, "0"),
    d("stop-writes-on-bgsave-error", B, "yes"),
    d("stream-node-max-bytes", MEM, "4096"),
    d("stream-node-max-entries", NL, "100"),
    imm(d(
        "supervised",
        Kind::Enum(&["upstart", "systemd", "auto", "no"]),
        "no",
    )),
    imm(d("syslog-enabled", B, "no")),
    imm(d(
        "syslog-facility",
        Kind::Enum(&[
            "user", "local0", "local1", "local2", "local3", "local4", "local5", "local6", "local7",
        ]),
        "local0",
    )),
    imm(d("syslog-ident", S, "redis")),
    imm(d("tcp-backlog", NN, "511")),
    d("tcp-keepalive", NN, "300"),
    d("timeout", NN, "0"),
    d(
        "tls-auth-clients",
        Kind::Enum(&["no", "yes", "optional"]),
        "yes",
    ),
    d("tls-ca-cert-dir", S, ""),
    d("tls-ca-cert-file", S, ""),
    d("tls-cert-file", S, ""),
    d("tls-ciphers", S, ""),
    d("tls-ciphersuites", S, ""),
    d("tls-client-cert-file", S, ""),
    d("tls-client-key-file", S, ""),
    d("tls-client-key-file-pass", S, ""),
    d("tls-cluster", B, "no"),
    d("tls-dh-params-file", S, ""),
    d("tls-key-file", S, ""),
    d("tls-key-file-pass", S, ""),
    d("tls-port", Kind::Int(0, 65535), "0"),
    d("tls-prefer-server-ciphers", B, "no"),
    d("tls-protocols", S, ""),
    d("tls-replication", B, "no"),
    d("tls-session-cache-size", NN, "20480"),
    d("tls-session-cache-timeout", NN, "300"),
    d("tls-session-caching", B, "yes"),
    d("tracking-table-max-keys", NL, "1000000"),
    imm(d("unixsocket", S, "")),
    imm(d("unixsocketperm", Kind::Special(Special::Octal), "0")),
    alias(
        d("zset-max-listpack-entries", NL, "128"),
        "zset-max-ziplist-entries",
    ),
    alias(
        d("zset-max-listpack-value", MEM, "64"),
        "zset-max-ziplist-value",
    ),
];

/// Directives accepted in a config file that CONFIG GET does not report.
const FILE_ONLY: &[&str] = &["include", "rename-command", "user", "loadmodule"];

fn find(name: &str) -> Option<usize> {
    DIRECTIVES.iter().position(|d| {
        d.name.eq_ignore_ascii_case(name) || d.alias.is_some_and(|a| a.eq_ignore_ascii_case(name))
    })
}

/// The configuration: a canonical value per directive.
#[derive(Debug, Clone)]
pub struct Config {
    values: Vec<String>,
    /// Whether a `save` line has been read from the file (the first one replaces the default).
    save_from_file: bool,
    /// The config file, if the server was started with one (for CONFIG REWRITE).
    pub file: Option<PathBuf>,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            values: DIRECTIVES.iter().map(|d| d.default.to_owned()).collect(),
            save_from_file: false,
            file: None,
        }
    }
}

impl Config {
    /// Reads a configuration the way `redis-server [file] [--directive args...]` does: the file
    /// (with `include`s), then each flag as one more line.
    pub fn load(file: Option<&Path>, flags: &[String]) -> Result<Config, ConfigError> {
        let mut text = String::new();
        if let Some(path) = file {
            text = read_file(path)?;
        }
        text.push('\n');
        text.push_str(&flags_to_lines(flags));
        let mut cfg = Config::default();
        cfg.apply_text(&text)?;
        cfg.file = file.map(|p| p.to_path_buf());
        Ok(cfg)
    }

    /// Applies config-file text (lines of directives).
    pub fn apply_text(&mut self, text: &str) -> Result<(), ConfigError> {
        for (i, raw) in text.split('\n').enumerate() {
            let line = raw.trim_matches(|c: char| c == ' ' || c == '\t' || c == '\r');
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let err = |reason: &str| ConfigError::Line {
                line: i + 1,
                text: line.to_owned(),
                reason: reason.to_owned(),
            };
            let Some(argv) = split_args(line) else {
                return Err(err("Unbalanced quotes in configuration line"));
            };
            let Some((name, args)) = argv.split_first() else {
                continue;
            };
            let lname = name.to_ascii_lowercase();
            if lname == "include" && args.len() == 1 {
                let inc = read_file(Path::new(&args[0]))?;
                self.apply_text(&inc)?;
                continue;
            }
            if FILE_ONLY.contains(&lname.as_str()) {
                continue;
            }
            let Some(idx) = find(&lname) else {
                return Err(err("Bad directive or wrong number of arguments"));
            };
            self.set_from_file(idx, args).map_err(|e| err(&e.0))?;
        }
        Ok(())
    }

    fn set_from_file(&mut self, idx: usize, args: &[String]) -> Result<(), Invalid> {
        let dir = &DIRECTIVES[idx];
        match dir.kind {
            Kind::Special(Special::Save) => {
                let joined = args.join(" ");
                let v = canonical(dir, &joined)?;
                if self.save_from_file && !v.is_empty() && !self.values[idx].is_empty() {
                    self.values[idx] = format!("{} {}", self.values[idx], v);
                } else {
                    self.values[idx] = v;
                }
                self.save_from_file = true;
                Ok(())
            }
            Kind::Special(Special::ClientOutputBufferLimit) => {
                let v = merge_cobl(&self.values[idx], &args.join(" "))?;
                self.values[idx] = v;
                Ok(())
            }
            Kind::Special(Special::Bind)
            | Kind::Special(Special::Replicaof)
            | Kind::Special(Special::OomScoreAdjValues)
            | Kind::Special(Special::Percentiles)
            | Kind::Special(Special::ShutdownFlags) => {
                self.values[idx] = canonical(dir, &args.join(" "))?;
                Ok(())
            }
            _ => {
                if args.len() != 1 {
                    return Err(Invalid(
                        "Bad directive or wrong number of arguments".to_owned(),
                    ));
                }
                self.values[idx] = canonical(dir, &args[0])?;
                Ok(())
            }
        }
    }

    /// CONFIG SET of several `name value` pairs, all or nothing. Returns the canonical names
    /// changed (so the server can apply side effects).
    pub fn set_many(
        &mut self,
        pairs: &[(&[u8], &[u8])],
    ) -> Result<Vec<&'static str>, crate::error::CmdError> {
        use crate::error::CmdError;
        let mut staged: Vec<(usize, String)> = Vec::with_capacity(pairs.len());
        for (name, value) in pairs {
            let name_s = String::from_utf8_lossy(name).into_owned();
            let Some(idx) = find(&name_s) else {
                return Err(CmdError::ConfigSetUnknown(name_s));
            };
            let dir = &DIRECTIVES[idx];
            let failed = |reason: &str| CmdError::ConfigSetFailed {
                name: name_s.clone(),
                reason: reason.to_owned(),
            };
            if staged.iter().any(|(i, _)| *i == idx) {
                return Err(failed("duplicate parameter"));
            }
            if dir.flags & IMMUTABLE != 0 {
                return Err(failed("can't set immutable config"));
            }
            if dir.flags & PROTECTED != 0 && self.str("enable-protected-configs") == "no" {
                return Err(failed("can't set protected config"));
            }
            let text = String::from_utf8_lossy(value).into_owned();
            let v = match dir.kind {
                Kind::Special(Special::ClientOutputBufferLimit) => {
                    merge_cobl(&self.values[idx], &text)
                }
                Kind::Special(Special::Dir) => std::env::set_current_dir(&text)
                    .map(|_| text.clone())
                    .map_err(|e| Invalid(e.to_string())),
                _ => canonical(dir, &text),
            }
            .map_err(|e| failed(&e.0))?;
            staged.push((idx, v));
        }
        let mut names = Vec::with_capacity(staged.len());
        for (idx, v) in staged {
            let dir = &DIRECTIVES[idx];
            let v = if dir.name == "hz" {
                // Redis clamps hz to 1..=500.
                let n: i64 = v.parse().unwrap_or(10);
                n.clamp(1, 500).to_string()
            } else {
                v
            };
            self.values[idx] = v;
            names.push(dir.name);
        }
        Ok(names)
    }

    /// CONFIG GET: every `(name, value)` matching one of the glob patterns (case-insensitive),
    /// aliases included, each once, in table order.
    pub fn get_matching(&self, patterns: &[&[u8]]) -> Vec<(&'static str, String)> {
        let mut out: Vec<(&'static str, String)> = Vec::new();
        for pat in patterns {
            for (i, d) in DIRECTIVES.iter().enumerate() {
                for name in std::iter::once(d.name).chain(d.alias) {
                    if out.iter().any(|(n, _)| *n == name) {
                        continue;
                    }
                    if crate::glob::matches(pat, name.as_bytes(), true) {
                        out.push((name, self.display_value(i)));
                    }
                }
            }
        }
        out
    }

    fn display_value(&self, idx: usize) -> String {
        if DIRECTIVES[idx].name == "dir" {
            if let Ok(cwd) = std::env::current_dir() {
                return cwd.to_string_lossy().into_owned();
            }
        }
        self.values[idx].clone()
    }

    /// The canonical text of a directive (empty for an unknown name).
    pub fn str(&self, name: &str) -> &str {
        find(name).map(|i| self.values[i].as_str()).unwrap_or("")
    }

    /// A `yes`/`no` directive.
    pub fn bool(&self, name: &str) -> bool {
        self.str(name) == "yes"
    }

    /// An integer or memory directive (0 if unset or not a number).
    pub fn int(&self, name: &str) -> i64 {
        self.str(name).parse().unwrap_or(0)
    }

    /// `port`.
    pub fn port(&self) -> u16 {
        self.int("port") as u16
    }

    /// `bind` addresses; a leading `-` marks one that may be unavailable.
    pub fn bind(&self) -> Vec<String> {
        self.str("bind")
            .split_whitespace()
            .map(str::to_owned)
            .collect()
    }

    /// The IPv4 address a local health probe connects to: the first IPv4 `bind` address
    /// (`127.0.0.1` for a wildcard or when there is none).
    pub fn probe_host(&self) -> String {
        self.bind()
            .into_iter()
            .map(|b| b.trim_start_matches('-').to_owned())
            .find(|b| b.parse::<std::net::Ipv4Addr>().is_ok())
            .filter(|b| b != "0.0.0.0")
            .unwrap_or_else(|| "127.0.0.1".into())
    }

    /// `requirepass`, `None` when empty.
    pub fn requirepass(&self) -> Option<&str> {
        Some(self.str("requirepass")).filter(|p| !p.is_empty())
    }

    /// `databases`.
    pub fn databases(&self) -> usize {
        self.int("databases").max(1) as usize
    }

    /// `maxclients`.
    pub fn maxclients(&self) -> usize {
        self.int("maxclients").max(1) as usize
    }

    /// `hz`, clamped to 1..=500.
    pub fn hz(&self) -> u64 {
        self.int("hz").clamp(1, 500) as u64
    }

    /// `unixsocket`, `None` when empty.
    pub fn unixsocket(&self) -> Option<&str> {
        Some(self.str("unixsocket")).filter(|p| !p.is_empty())
    }

    /// `logfile`, `None` for stdout.
    pub fn logfile(&self) -> Option<&str> {
        Some(self.str("logfile")).filter(|p| !p.is_empty())
    }

    /// `pidfile`, `None` when empty.
    pub fn pidfile(&self) -> Option<&str> {
        Some(self.str("pidfile")).filter(|p| !p.is_empty())
    }

    /// `dir` as configured (the binary changes into it at start).
    pub fn dir(&self) -> &str {
        self.str("dir")
    }

    /// `enable-debug-command` is `yes` (or `local`: treated as yes, connections are local).
    pub fn debug_enabled(&self) -> bool {
        matches!(self.str("enable-debug-command"), "yes" | "local")
    }

    /// Renders the configuration as a config file (CONFIG REWRITE): every directive whose
    /// value differs from the default.
    pub fn to_file_text(&self) -> String {
        let mut out = String::from("# Generated by CONFIG REWRITE\n");
        for (i, d) in DIRECTIVES.iter().enumerate() {
            if self.values[i] != d.default {
                let v = &self.values[i];
                match d.kind {
                    Kind::Special(Special::Bind)
                    | Kind::Special(Special::Replicaof)
                    | Kind::Special(Special::OomScoreAdjValues)
                    | Kind::Special(Special::Percentiles) => {
                        out.push_str(&format!("{} {}\n", d.name, v));
                    }
                    Kind::Special(Special::Save) if !v.is_empty() => {
                        let nums: Vec<&str> = v.split_whitespace().collect();
                        for pair in nums.chunks(2) {
                            out.push_str(&format!("save {}\n", pair.join(" ")));
                        }
                    }
                    _ => out.push_str(&format!("{} {}\n", d.name, quote(v))),
                }
            }
        }
        out
    }
}

/// Quotes a value for a config file line when needed.
fn quote(v: &str) -> String {
    if !v.is_empty()
        && !v.contains(|c: char| c.is_whitespace() || c == '"' || c == '\'' || c == '\\')
    {
        return v.to_owned();
    }
    let mut s = String::from("\"");
    for c in v.chars() {
        match c {
            '"' => s.push_str("\\\""),
            '\\' => s.push_str("\\\\"),
            '\n' => s.push_str("\\n"),
            '\r' => s.push_str("\\r"),
            '\t' => s.push_str("\\t"),
            c => s.push(c),
        }
    }
    s.push('"');
    s
}

fn read_file(path: &Path) -> Result<String, ConfigError> {
    std::fs::read(path)
        .map(|b| String::from_utf8_lossy(&b).into_owned())
        .map_err(|source| ConfigError::Open {
            path: path.display().to_string(),
            source: strip_os_error(source),
        })
}

/// `No such file or directory (os error 2)` → `No such file or directory`, as strerror prints.
fn strip_os_error(e: std::io::Error) -> std::io::Error {
    let text = e.to_string();
    let text = match text.find(" (os error") {
        Some(i) => text[..i].to_owned(),
        None => text,
    };
    std::io::Error::new(e.kind(), text)
}

/// Turns `--port 6380 --save 900 1` into config lines (`port "6380"`), as Redis does.
pub fn flags_to_lines(flags: &[String]) -> String {
    let mut out = String::new();
    let mut first = true;
    for a in flags {
        if let Some(name) = a.strip_prefix("--").filter(|n| !n.is_empty()) {
            if !first {
                out.push('\n');
            }
            first = false;
            out.push_str(name);
        } else {
            out.push(' ');
            out.push_str(&repr(a));
        }
    }
    out
}

/// C-style quoted representation (`sdscatrepr`).
fn repr(s: &str) -> String {
    let mut out = String::from("\"");
    for b in s.bytes() {
        match b {
            b'\\' => out.push_str("\\\\"),
            b'"' => out.push_str("\\\""),
            b'\n' => out.push_str("\\n"),
            b'\r' => out.push_str("\\r"),
            b'\t' => out.push_str("\\t"),
            7 => out.push_str("\\a"),
            8 => out.push_str("\\b"),
            0x20..=0x7e => out.push(b as char),
            _ => out.push_str(&format!("\\x{b:02x}")),
        }
    }
    out.push('"');
    out
}

/// Splits a line as Redis's `sdssplitargs`: whitespace-separated words, `"..."` with escapes
/// (`\n \r \t \b \a \\ \" \xHH`), `'...'` with `\'`. `None` on unbalanced quotes.
pub fn split_args(line: &str) -> Option<Vec<String>> {
    let b = line.as_bytes();
    let mut i = 0;
    let mut out = Vec::new();
    loop {
        while i < b.len() && b[i].is_ascii_whitespace() {
            i += 1;
        }
        if i >= b.len() {
            return Some(out);
        }
        let mut cur: Vec<u8> = Vec::new();
        let mut inq = false;
        let mut insq = false;
        loop {
            if inq {
                if i >= b.len() {
                    return None;
                }
                if b[i] == b'\\'
                    && i + 3 < b.len()
                    && b[i + 1] == b'x'
                    && b[i + 2].is_ascii_hexdigit()
                    && b[i + 3].is_ascii_hexdigit()
                {
                    let h = |c: u8| (c as char).to_digit(16).unwrap_or(0) as u8;
                    cur.push(h(b[i + 2]) * 16 + h(b[i + 3]));
                    i += 3;
                } else if b[i] == b'\\' && i + 1 < b.len() {
                    i += 1;
                    cur.push(match b[i] {
                        b'n' => b'\n',
                        b'r' => b'\r',
                        b't' => b'\t',
                        b'b' => 8,
                        b'a' => 7,
                        c => c,
                    });
                } else if b[i] == b'"' {
                    if i + 1 < b.len() && !b[i + 1].is_ascii_whitespace() {
                        return None;
                    }
                    i += 1;
                    break;
                } else {
                    cur.push(b[i]);
                }
            } else if insq {
                if i >= b.len() {
                    return None;
                }
                if b[i] == b'\\' && i + 1 < b.len() && b[i + 1] == b'\'' {
                    i += 1;
                    cur.push(b'\'');
                } else if b[i] == b'\'' {
                    if i + 1 < b.len() && !b[i + 1].is_ascii_whitespace() {
                        return None;
                    }
                    i += 1;
                    break;
                } else {
                    cur.push(b[i]);
                }
            } else {
                if i >= b.len() {
                    break;
                }
                match b[i] {
                    b' ' | b'\n' | b'\r' | b'\t' | 0 => {
                        i += 1;
                        break;
                    }
                    b'"' => inq = true,
                    b'\'' => insq = true,
                    c => cur.push(c),
                }
            }
            i += 1;
        }
        out.push(String::from_utf8_lossy(&cur).into_owned());
    }
}

/// Parses a memory value as Redis's `memtoull`: digits with an optional unit (`b`, `k`, `kb`,
/// `m`, `mb`, `g`, `gb`; `k` = 1000, `kb` = 1024), case-insensitive.
pub fn parse_memory(s: &str) -> Option<i64> {
    let lower = s.to_ascii_lowercase();
    let split = lower
        .find(|c: char| !(c.is_ascii_digit() || c == '-'))
        .unwrap_or(lower.len());
    let (num, unit) = lower.split_at(split);
    let mul: i64 = match unit {
        "" | "b" => 1,
        "k" => 1000,
        "kb" => 1024,
        "m" => 1000 * 1000,
        "mb" => 1024 * 1024,
        "g" => 1000 * 1000 * 1000,
        "gb" => 1024 * 1024 * 1024,
        _ => return None,
    };
    let n: i64 = num.parse().ok()?;
    if n < 0 {
        return None;
    }
    n.checked_mul(mul)
}

fn parse_int(s: &str) -> Option<i64> {
    crate::args::parse_i64(s.as_bytes())
}

/// Validates `text` for a directive and returns its canonical form.
fn canonical(dir: &Directive, text: &str) -> Result<String, Invalid> {
    let inv = |s: &str| Err(Invalid(s.to_owned()));
    match dir.kind {
        Kind::Bool => match text.to_ascii_lowercase().as_str() {
            "yes" => Ok("yes".into()),
            "no" => Ok("no".into()),
            _ => inv("argument must be 'yes' or 'no'"),
        },
        Kind::Int(min, max) => {
            let Some(n) = parse_int(text) else {
                return inv("argument couldn't be parsed into an integer");
            };
            if n < min || n > max {
                return Err(Invalid(format!(
                    "argument must be between {min} and {max} inclusive"
                )));
            }
            Ok(n.to_string())
        }
        Kind::Mem(min, max) => {
            let Some(n) = parse_memory(text) else {
                return inv("argument must be a memory value");
            };
            if n < min || n > max {
                return Err(Invalid(format!(
                    "argument must be between {min} and {max} inclusive"
                )));
            }
            Ok(n.to_string())
        }
        Kind::Enum(names) => {
            let l = text.to_ascii_lowercase();
            if names.contains(&l.as_str()) {
                Ok(l)
            } else {
                Err(Invalid(format!(
                    "argument(s) must be one of the following: {}",
                    names.join(", ")
                )))
            }
        }
        Kind::Str => Ok(text.to_owned()),
        Kind::Special(sp) => special(sp, text),
    }
}

fn special(sp: Special, text: &str) -> Result<String, Invalid> {
    let words: Vec<&str> = text.split_whitespace().collect();
    let inv = |s: &str| Err(Invalid(s.to_owned()));
    match sp {
        Special::Bind => {
            if words.is_empty() {
                return inv("Too many bind addresses specified.");
            }
            Ok(words.join(" "))
        }
        Special::Dir => Ok(text.to_owned()),
        Special::Save => {
            if words.len() % 2 != 0 || words.iter().any(|w| parse_int(w).is_none_or(|n| n < 0)) {
                return inv("Invalid save parameters");
            }
            Ok(words.join(" "))
        }
        Special::ClientOutputBufferLimit => merge_cobl(
            "normal 0 0 0 slave 268435456 67108864 60 pubsub 33554432 8388608 60",
            text,
        ),
        Special::OomScoreAdjValues => {
            if words.len() != 3 {
                return inv("wrong number of arguments");
            }
            if words
                .iter()
                .any(|w| parse_int(w).is_none_or(|n| !(-2000..=2000).contains(&n)))
            {
                return inv("Invalid oom-score-adj-values value");
            }
            Ok(words.join(" "))
        }
        Special::NotifyKeyspaceEvents => notify_flags(text),
        Special::Replicaof => {
            if text.is_empty()
                || (words.len() == 2
                    && words[0].eq_ignore_ascii_case("no")
                    && words[1].eq_ignore_ascii_case("one"))
            {
                return Ok(String::new());
            }
            if words.len() != 2 || parse_int(words[1]).is_none() {
                return inv("Bad directive or wrong number of arguments");
            }
            Ok(words.join(" "))
        }
        Special::Percentiles => {
            for w in &words {
                match w.parse::<f64>() {
                    Ok(p) if (0.0..=100.0).contains(&p) => {}
                    _ => {
                        return inv(
                            "latency-tracking-info-percentiles should be between 0.0 and 100.0",
                        )
                    }
                }
            }
            Ok(words.join(" "))
        }
        Special::Octal => match i64::from_str_radix(text, 8) {
            Ok(n) if (0..=0o777).contains(&n) => Ok(format!("{n:o}")),
            _ => inv("argument couldn't be parsed into an integer"),
        },
        Special::ShutdownFlags => {
            const OK: [&str; 5] = ["default", "save", "nosave", "now", "force"];
            if words.is_empty()
                || words
                    .iter()
                    .any(|w| !OK.contains(&w.to_ascii_lowercase().as_str()))
            {
                return inv(
                    "argument(s) must be one of the following: default, save, nosave, now, force",
                );
            }
            Ok(words.join(" ").to_ascii_lowercase())
        }
    }
}

/// Merges `class hard soft secs` groups into the current client-output-buffer-limit value.
fn merge_cobl(current: &str, text: &str) -> Result<String, Invalid> {
    let words: Vec<&str> = text.split_whitespace().collect();
    if words.is_empty() || words.len() % 4 != 0 {
        return Err(Invalid(
            "Wrong number of arguments in buffer limit configuration.".into(),
        ));
    }
    let mut classes: Vec<(String, [i64; 3])> = Vec::new();
    for g in current.split_whitespace().collect::<Vec<_>>().chunks(4) {
        if g.len() == 4 {
            let n = |s: &str| s.parse().unwrap_or(0);
            classes.push((g[0].to_owned(), [n(g[1]), n(g[2]), n(g[3])]));
        }
    }
    for g in words.chunks(4) {
        let class = match g[0].to_ascii_lowercase().as_str() {
            "normal" => "normal",
            "slave" | "replica" => "slave",
            "pubsub" => "pubsub",
            _ => {
                return Err(Invalid(
                    "Invalid client class specified in buffer limit configuration.".into(),
                ))
            }
        };
        let hard = parse_memory(g[1]);
        let soft = parse_memory(g[2]);
        let secs = parse_int(g[3]).filter(|n| *n >= 0);
        let (Some(h), Some(s), Some(t)) = (hard, soft, secs) else {
            return Err(Invalid(
                "Error in hard, soft or soft_seconds setting in buffer limit configuration.".into(),
            ));
        };
        if let Some(c) = classes.iter_mut().find(|(n, _)| n == class) {
            c.1 = [h, s, t];
        }
    }
    Ok(classes
        .iter()
        .map(|(n, v)| format!("{} {} {} {}", n, v[0], v[1], v[2]))
        .collect::<Vec<_>>()
        .join(" "))
}

/// Validates and normalises notify-keyspace-events flags as Redis prints them.
fn notify_flags(text: &str) -> Result<String, Invalid> {
    const ALL: &str = "g$lshzxetd";
    let mut set = std::collections::HashSet::new();
    for c in text.chars() {
        match c {
            'A' => set.extend(ALL.chars()),
            'g' | '$' | 'l' | 's' | 'h' | 'z' | 'x' | 'e' | 't' | 'd' | 'n' | 'K' | 'E' | 'm' => {
                set.insert(c);
            }
            _ => {
                return Err(Invalid(
                    "Invalid event class character. Use 'Ag$lshzxeKEtmdn'.".into(),
                ))
            }
        }
    }
    let mut out = String::new();
    if ALL.chars().all(|c| set.contains(&c)) {
        out.push('A');
    } else {
        for c in "g$lshzxetdn".chars() {
            if set.contains(&c) {
                out.push(c);
            }
        }
    }
    if ALL.chars().all(|c| set.contains(&c)) && set.contains(&'n') {
        out.push('n');
    }
    for c in "KEm".chars() {
        if set.contains(&c) {
            out.push(c);
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults() {
        let c = Config::default();
        assert_eq!(c.port(), 6379);
        assert_eq!(c.str("bind"), "127.0.0.1 -::1");
        assert_eq!(c.databases(), 16);
        assert_eq!(c.maxclients(), 10000);
        assert_eq!(c.str("appendfsync"), "everysec");
        assert!(!c.bool("appendonly"));
        assert!(c.bool("protected-mode"));
    }

    #[test]
    fn file_and_flags() {
        let dir = tempfile::tempdir().unwrap();
        let inc = dir.path().join("inc.conf");
        std::fs::write(&inc, "maxmemory 64mb\n").unwrap();
        let main = dir.path().join("main.conf");
        std::fs::write(
            &main,
            format!(
                "# comment\nport 7000\n  appendfilename \"my file.aof\"\nslave-serve-stale-data no\nhash-max-ziplist-entries 100\nsave 900 1\nsave 300 10\ninclude {}\nauto-aof-rewrite-min-size 1kb\n",
                inc.display()
            ),
        )
        .unwrap();
        let c = Config::load(
            Some(&main),
            &["--port".into(), "7001".into(), "--save".into(), "".into()],
        )
        .unwrap();
        assert_eq!(c.port(), 7001);
        assert_eq!(c.str("appendfilename"), "my file.aof");
        assert_eq!(c.str("replica-serve-stale-data"), "no");
        assert_eq!(c.int("hash-max-listpack-entries"), 100);
        assert_eq!(c.int("maxmemory"), 64 * 1024 * 1024);
        assert_eq!(c.int("auto-aof-rewrite-min-size"), 1024);
        assert_eq!(c.str("save"), "");
        let c = Config::load(Some(&main), &[]).unwrap();
        assert_eq!(c.str("save"), "900 1 300 10");
    }

    #[test]
    fn errors_name_the_line() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("bad.conf");
        std::fs::write(&p, "port 7102\nfoo bar\n").unwrap();
        let e = Config::load(Some(&p), &[]).unwrap_err().to_string();
        assert_eq!(
            e,
            "\n*** FATAL CONFIG FILE ERROR (Redis 7.0.15) ***\nReading the configuration file, at line 2\n>>> 'foo bar'\nBad directive or wrong number of arguments"
        );
        let e = Config::load(
            None,
            &["--port".into(), "7102".into(), "--foo".into(), "a b".into()],
        )
        .unwrap_err()
        .to_string();
        assert!(e.contains("at line 3\n>>> 'foo \"a b\"'\n"), "{e}");
        let e = Config::load(None, &["--port".into(), "70000".into()])
            .unwrap_err()
            .to_string();
        assert!(
            e.ends_with("argument must be between 0 and 65535 inclusive"),
            "{e}"
        );
        std::fs::write(&p, "port \"7102\n").unwrap();
        let e = Config::load(Some(&p), &[]).unwrap_err().to_string();
        assert!(e.ends_with("Unbalanced quotes in configuration line"));
        let e = Config::load(Some(Path::new("/nonexistent/x.conf")), &[])
            .unwrap_err()
            .to_string();
        assert_eq!(
            e,
            "Fatal error, can't open config file '/nonexistent/x.conf': No such file or directory"
        );
    }

    #[test]
    fn split() {
        assert_eq!(
            split_args(r#"a "b c" 'd\'e' "\x41\n""#).unwrap(),
            vec!["a", "b c", "d'e", "A\n"]
        );
        assert!(split_args("\"abc").is_none());
        assert!(split_args("\"abc\"x").is_none());
    }

    #[test]
    fn memory_units() {
        assert_eq!(parse_memory("1kb"), Some(1024));
        assert_eq!(parse_memory("1k"), Some(1000));
        assert_eq!(parse_memory("64MB"), Some(64 << 20));
        assert_eq!(parse_memory("1gb"), Some(1 << 30));
        assert_eq!(parse_memory("10xx"), None);
        assert_eq!(parse_memory("-1"), None);
    }

    #[test]
    fn config_set_errors() {
        let mut c = Config::default();
        let e = c.set_many(&[(b"port", b"abc")]).unwrap_err().to_string();
        assert_eq!(e, "ERR CONFIG SET failed (possibly related to argument 'port') - argument couldn't be parsed into an integer");
        let e = c
            .set_many(&[(b"maxmemory-policy", b"foo")])
            .unwrap_err()
            .to_string();
        assert_eq!(e, "ERR CONFIG SET failed (possibly related to argument 'maxmemory-policy') - argument(s) must be one of the following: volatile-lru, volatile-lfu, volatile-random, volatile-ttl, allkeys-lru, allkeys-lfu, allkeys-random, noeviction");
        let e = c.set_many(&[(b"foo", b"bar")]).unwrap_err().to_string();
        assert_eq!(
            e,
            "ERR Unknown option or number of arguments for CONFIG SET - 'foo'"
        );
        let e = c.set_many(&[(b"databases", b"3")]).unwrap_err().to_string();
        assert!(e.ends_with("can't set immutable config"));
        let e = c.set_many(&[(b"dir", b"/")]).unwrap_err().to_string();
        assert!(e.ends_with("can't set protected config"));
        let e = c
            .set_many(&[(b"port", b"1"), (b"port", b"2")])
            .unwrap_err()
            .to_string();
        assert!(e.ends_with("duplicate parameter"));
        c.set_many(&[(b"hz", b"1000"), (b"maxmemory", b"1kb")])
            .unwrap();
        assert_eq!(c.str("hz"), "500");
        assert_eq!(c.str("maxmemory"), "1024");
        c.set_many(&[(b"notify-keyspace-events", b"KEA")]).unwrap();
        assert_eq!(c.str("notify-keyspace-events"), "AKE");
        c.set_many(&[(b"client-output-buffer-limit", b"normal 1mb 2mb 3")])
            .unwrap();
        assert_eq!(
            c.str("client-output-buffer-limit"),
            "normal 1048576 2097152 3 slave 268435456 67108864 60 pubsub 33554432 8388608 60"
        );
        assert_eq!(c.get_matching(&[b"hash-max-*-entries"]).len(), 2);
        assert_eq!(
            c.get_matching(&[b"PORT"]),
            vec![("port", "6379".to_string())]
        );
    }
}
