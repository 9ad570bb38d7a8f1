//! INFO: Redis's sections and field names, so redis-cli --stat, redis_exporter and client
//! libraries read it. `redis_version` is the Redis version we match; `rustredis_version` ours.

use std::fmt::Write as _;
use std::sync::atomic::Ordering;

use crate::shared::Shared;

const DEFAULT: &[&str] = &[
    "server",
    "clients",
    "memory",
    "persistence",
    "stats",
    "replication",
    "cpu",
    "module_list",
    "errorstats",
    "cluster",
    "keyspace",
];
const ALL: &[&str] = &[
    "server",
    "clients",
    "memory",
    "persistence",
    "stats",
    "replication",
    "cpu",
    "module_list",
    "commandstats",
    "errorstats",
    "latencystats",
    "cluster",
    "keyspace",
];
const EVERYTHING: &[&str] = &[
    "server",
    "clients",
    "memory",
    "persistence",
    "stats",
    "replication",
    "cpu",
    "modules",
    "commandstats",
    "errorstats",
    "latencystats",
    "cluster",
    "keyspace",
];

/// Renders INFO for the requested section names (none: `default`).
pub fn render(shared: &Shared, sections: &[&[u8]]) -> String {
    let mut wanted: Vec<&'static str> = Vec::new();
    let mut add = |list: &[&'static str]| {
        for s in list {
            if !wanted.contains(s) {
                wanted.push(s);
            }
        }
    };
    if sections.is_empty() {
        add(DEFAULT);
    }
    for s in sections {
        let l = String::from_utf8_lossy(s).to_ascii_lowercase();
        match l.as_str() {
            "default" => add(DEFAULT),
            "all" => add(ALL),
            "everything" => add(EVERYTHING),
            other => {
                if let Some(name) = EVERYTHING
                    .iter()
                    .chain(["module_list"].iter())
                    .find(|n| **n == other)
                {
                    add(&[name]);
                }
            }
        }
    }
    // Keep Redis's section order.
    let order: Vec<&str> = EVERYTHING
        .iter()
        .copied()
        .flat_map(|s| {
            if s == "modules" {
                vec!["modules", "module_list"]
            } else {
                vec![s]
            }
        })
        .collect();
    let mut out = String::with_capacity(4096);
    for sec in order.iter().filter(|s| wanted.contains(s)) {
        if !out.is_empty() {
            out.push_str("\r\n");
        }
        section(shared, sec, &mut out);
    }
    out
}

fn human(n: u64) -> String {
    let n = n as f64;
    const K: f64 = 1024.0;
    if n < K {
        format!("{}B", n as u64)
    } else if n < K * K {
        format!("{:.2}K", n / K)
    } else if n < K * K * K {
        format!("{:.2}M", n / (K * K))
    } else if n < K * K * K * K {
        format!("{:.2}G", n / (K * K * K))
    } else {
        format!("{:.2}T", n / (K * K * K * K))
    }
}

fn rss_bytes() -> u64 {
    let page = 4096;
    std::fs::read_to_string("/proc/self/statm")
        .ok()
        .and_then(|s| {
            s.split_whitespace()
                .nth(1)
                .and_then(|v| v.parse::<u64>().ok())
        })
        .map(|p| p * page)
        .unwrap_or(0)
}

fn total_memory() -> u64 {
    std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("MemTotal:"))
                .and_then(|l| {
                    l.split_whitespace()
                        .nth(1)
                        .and_then(|v| v.parse::<u64>().ok())
                })
        })
        .map(|kb| kb * 1024)
        .unwrap_or(0)
}

fn uname() -> String {
    // SAFETY: uname fills the zeroed struct we own.
    let mut u: libc::utsname = unsafe { std::mem::zeroed() };
    if unsafe { libc::uname(&mut u) } != 0 {
        return "Linux".into();
    }
    let f = |b: &[libc::c_char]| -> String {
        let bytes: Vec<u8> = b
            .iter()
            .take_while(|&&c| c != 0)
            .map(|&c| c as u8)
            .collect();
        String::from_utf8_lossy(&bytes).into_owned()
    };
    format!("{} {} {}", f(&u.sysname), f(&u.release), f(&u.machine))
}

fn cpu() -> (f64, f64) {
    // SAFETY: getrusage fills the zeroed struct we own.
    let mut r: libc::rusage = unsafe { std::mem::zeroed() };
    unsafe { libc::getrusage(libc::RUSAGE_SELF, &mut r) };
    let t = |tv: libc::timeval| tv.tv_sec as f64 + tv.tv_usec as f64 / 1e6;
    (t(r.ru_stime), t(r.ru_utime))
}

fn section(shared: &Shared, name: &str, o: &mut String) {
    let cfg = shared.config.read();
    let st = &shared.stats;
    let ld = |a: &crate::counter::Counter| a.get();
    let now_us = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_micros())
        .unwrap_or(0);
    let uptime = shared.started.elapsed().as_secs();
    match name {
        "server" => {
            let exe = std::env::current_exe()
                .map(|p| p.display().to_string())
                .unwrap_or_default();
            let cfg_file = cfg
                .file
                .as_ref()
                .map(|p| {
                    std::fs::canonicalize(p)
                        .unwrap_or_else(|_| p.clone())
                        .display()
                        .to_string()
                })
                .unwrap_or_default();
            let _ = write!(
                o,
                "# Server\r\nredis_version:{}\r\nrustredis_version:{}\r\nredis_git_sha1:00000000\r\nredis_git_dirty:0\r\nredis_build_id:0\r\nredis_mode:standalone\r\nos:{}\r\narch_bits:64\r\nmonotonic_clock:POSIX clock_gettime\r\nmultiplexing_api:epoll\r\natomicvar_api:c11-builtin\r\ngcc_version:0.0.0\r\nprocess_id:{}\r\nprocess_supervised:no\r\nrun_id:{}\r\ntcp_port:{}\r\nserver_time_usec:{}\r\nuptime_in_seconds:{}\r\nuptime_in_days:{}\r\nhz:{}\r\nconfigured_hz:{}\r\nlru_clock:{}\r\nexecutable:{}\r\nconfig_file:{}\r\nio_threads_active:0\r\n",
                crate::REDIS_VERSION,
                crate::VERSION,
                uname(),
                std::process::id(),
                shared.run_id,
                cfg.port(),
                now_us,
                uptime,
                uptime / 86400,
                cfg.hz(),
                cfg.int("hz"),
                (now_us / 1_000_000) as u64 & ((1 << 24) - 1),
                exe,
                cfg_file
            );
        }
        "clients" => {
            let _ = write!(
                o,
                "# Clients\r\nconnected_clients:{}\r\ncluster_connections:0\r\nmaxclients:{}\r\nclient_recent_max_input_buffer:0\r\nclient_recent_max_output_buffer:0\r\nblocked_clients:0\r\ntracking_clients:0\r\nclients_in_timeout_table:0\r\n",
                shared.clients.len(),
                cfg.maxclients()
            );
        }
        "memory" => {
            let used = shared.store.used_memory() as u64;
            let peak = shared
                .stats
                .peak_memory
                .fetch_max(used, Ordering::Relaxed)
                .max(used);
            let rss = rss_bytes();
            let total = total_memory();
            let maxmem = cfg.int("maxmemory").max(0) as u64;
            let frag = if used > 0 {
                rss as f64 / used as f64
            } else {
                0.0
            };
            let _ = write!(
                o,
                "# Memory\r\nused_memory:{used}\r\nused_memory_human:{}\r\nused_memory_rss:{rss}\r\nused_memory_rss_human:{}\r\nused_memory_peak:{peak}\r\nused_memory_peak_human:{}\r\nused_memory_peak_perc:{:.2}%\r\nused_memory_overhead:0\r\nused_memory_startup:0\r\nused_memory_dataset:{used}\r\nused_memory_dataset_perc:100.00%\r\nallocator_allocated:{used}\r\nallocator_active:{used}\r\nallocator_resident:{rss}\r\ntotal_system_memory:{total}\r\ntotal_system_memory_human:{}\r\nused_memory_lua:0\r\nused_memory_vm_eval:0\r\nused_memory_lua_human:0B\r\nused_memory_scripts_eval:0\r\nnumber_of_cached_scripts:0\r\nnumber_of_functions:0\r\nnumber_of_libraries:0\r\nused_memory_vm_functions:0\r\nused_memory_vm_total:0\r\nused_memory_vm_total_human:0B\r\nused_memory_functions:0\r\nused_memory_scripts:0\r\nused_memory_scripts_human:0B\r\nmaxmemory:{maxmem}\r\nmaxmemory_human:{}\r\nmaxmemory_policy:{}\r\nallocator_frag_ratio:1.00\r\nallocator_frag_bytes:0\r\nallocator_rss_ratio:1.00\r\nallocator_rss_bytes:0\r\nrss_overhead_ratio:1.00\r\nrss_overhead_bytes:0\r\nmem_fragmentation_ratio:{frag:.2}\r\nmem_fragmentation_bytes:{}\r\nmem_not_counted_for_evict:0\r\nmem_replication_backlog:0\r\nmem_total_replication_buffers:0\r\nmem_clients_slaves:0\r\nmem_clients_normal:0\r\nmem_cluster_links:0\r\nmem_aof_buffer:0\r\nmem_allocator:libc\r\nactive_defrag_running:0\r\nlazyfree_pending_objects:0\r\nlazyfreed_objects:0\r\n",
                human(used),
                human(rss),
                human(peak),
                if peak > 0 { used as f64 * 100.0 / peak as f64 } else { 0.0 },
                human(total),
                human(maxmem),
                cfg.str("maxmemory-policy"),
                rss as i64 - used as i64,
            );
        }
        "persistence" => {
            let loading = u8::from(shared.loading.load(Ordering::Relaxed));
            let aof_lines = shared
                .info_persistence
                .read()
                .as_ref()
                .map(|f| f())
                .unwrap_or_else(|| {
                    format!(
                        "aof_enabled:{}\r\naof_rewrite_in_progress:0\r\naof_rewrite_scheduled:0\r\naof_last_rewrite_time_sec:-1\r\naof_current_rewrite_time_sec:-1\r\naof_last_bgrewrite_status:ok\r\naof_rewrites:0\r\naof_rewrites_consecutive_failures:0\r\naof_last_write_status:ok\r\naof_last_cow_size:0\r\n",
                        u8::from(cfg.bool("appendonly"))
                    )
                });
            let _ = write!(
                o,
                "# Persistence\r\nloading:{loading}\r\nasync_loading:0\r\ncurrent_cow_peak:0\r\ncurrent_cow_size:0\r\ncurrent_cow_size_age:0\r\ncurrent_fork_perc:0.00\r\ncurrent_save_keys_processed:0\r\ncurrent_save_keys_total:0\r\nrdb_changes_since_last_save:{}\r\nrdb_bgsave_in_progress:0\r\nrdb_last_save_time:{}\r\nrdb_last_bgsave_status:ok\r\nrdb_last_bgsave_time_sec:-1\r\nrdb_current_bgsave_time_sec:-1\r\nrdb_saves:0\r\nrdb_last_cow_size:0\r\nrdb_last_load_keys_expired:0\r\nrdb_last_load_keys_loaded:0\r\n{aof_lines}module_fork_in_progress:0\r\nmodule_fork_last_cow_size:0\r\n",
                ld(&st.dirty),
                shared.last_save.load(Ordering::Relaxed),
            );
        }
        "stats" => {
            let ss = shared.store.stats();
            let _ = write!(
                o,
                "# Stats\r\ntotal_connections_received:{}\r\ntotal_commands_processed:{}\r\ninstantaneous_ops_per_sec:{}\r\ntotal_net_input_bytes:{}\r\ntotal_net_output_bytes:{}\r\ntotal_net_repl_input_bytes:0\r\ntotal_net_repl_output_bytes:0\r\ninstantaneous_input_kbps:{:.2}\r\ninstantaneous_output_kbps:{:.2}\r\ninstantaneous_input_repl_kbps:0.00\r\ninstantaneous_output_repl_kbps:0.00\r\nrejected_connections:{}\r\nsync_full:0\r\nsync_partial_ok:0\r\nsync_partial_err:0\r\nexpired_keys:{}\r\nexpired_stale_perc:0.00\r\nexpired_time_cap_reached_count:0\r\nexpire_cycle_cpu_milliseconds:0\r\nevicted_keys:{}\r\nevicted_clients:0\r\ntotal_eviction_exceeded_time:0\r\ncurrent_eviction_exceeded_time:0\r\nkeyspace_hits:{}\r\nkeyspace_misses:{}\r\npubsub_channels:0\r\npubsub_patterns:0\r\npubsubshard_channels:0\r\nlatest_fork_usec:0\r\ntotal_forks:0\r\nmigrate_cached_sockets:0\r\nslave_expires_tracked_keys:0\r\nactive_defrag_hits:0\r\nactive_defrag_misses:0\r\nactive_defrag_key_hits:0\r\nactive_defrag_key_misses:0\r\ntotal_active_defrag_time:0\r\ncurrent_active_defrag_time:0\r\ntracking_total_keys:0\r\ntracking_total_items:0\r\ntracking_total_prefixes:0\r\nunexpected_error_replies:0\r\ntotal_error_replies:{}\r\ndump_payload_sanitizations:0\r\ntotal_reads_processed:0\r\ntotal_writes_processed:0\r\nio_threaded_reads_processed:0\r\nio_threaded_writes_processed:0\r\nreply_buffer_shrinks:0\r\nreply_buffer_expands:0\r\n",
                shared.clients.total_received.load(Ordering::Relaxed),
                ld(&st.commands),
                st.ops_per_sec.load(Ordering::Relaxed),
                ld(&st.net_input),
                ld(&st.net_output),
                st.input_bps.load(Ordering::Relaxed) as f64 / 1024.0,
                st.output_bps.load(Ordering::Relaxed) as f64 / 1024.0,
                shared.clients.rejected.load(Ordering::Relaxed),
                ss.expired_keys,
                ss.evicted_keys,
                ld(&st.keyspace_hits),
                ld(&st.keyspace_misses),
                ld(&st.error_replies),
            );
        }
        "replication" => {
            let _ = write!(
                o,
                "# Replication\r\nrole:master\r\nconnected_slaves:0\r\nmaster_failover_state:no-failover\r\nmaster_replid:{}\r\nmaster_replid2:0000000000000000000000000000000000000000\r\nmaster_repl_offset:0\r\nsecond_repl_offset:-1\r\nrepl_backlog_active:0\r\nrepl_backlog_size:{}\r\nrepl_backlog_first_byte_offset:0\r\nrepl_backlog_histlen:0\r\n",
                shared.run_id,
                cfg.int("repl-backlog-size")
            );
        }
        "cpu" => {
            let (sys, user) = cpu();
            let _ = write!(
                o,
                "# CPU\r\nused_cpu_sys:{sys:.6}\r\nused_cpu_user:{user:.6}\r\nused_cpu_sys_children:0.000000\r\nused_cpu_user_children:0.000000\r\nused_cpu_sys_main_thread:{sys:.6}\r\nused_cpu_user_main_thread:{user:.6}\r\n"
            );
        }
        "modules" | "module_list" => o.push_str("# Modules\r\n"),
        "commandstats" => o.push_str("# Commandstats\r\n"),
        "errorstats" => o.push_str("# Errorstats\r\n"),
        "latencystats" => o.push_str("# Latencystats\r\n"),
        "cluster" => o.push_str("# Cluster\r\ncluster_enabled:0\r\n"),
        "keyspace" => {
            o.push_str("# Keyspace\r\n");
            for i in 0..shared.store.databases() {
                let s = shared.store.db(i).stats();
                if s.keys > 0 {
                    let _ = write!(
                        o,
                        "db{i}:keys={},expires={},avg_ttl={}\r\n",
                        s.keys, s.expires, s.avg_ttl
                    );
                }
            }
        }
        _ => {}
    }
}
