//! `redis-server`: parses the command line and config file, sets up logging and signals, and
//! runs `server`. Usage: `redis-server [config-file] [--directive value ...]`.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Parser;
use tracing::{info, warn};

use serve::{fail, fail_stderr};

mod serve;

/// A Redis-compatible server.
#[derive(Parser, Debug)]
#[command(name = "redis-server", disable_version_flag = true)]
struct Cli {
    /// Print the version and exit.
    #[arg(short = 'v', long = "version")]
    version: bool,
    /// Health probe: PING the configured server; exit 0 on PONG.
    #[arg(long)]
    ping: bool,
    /// Check (or fix) an AOF like redis-check-aof: `--check-aof [--fix] <file>`.
    #[arg(long = "check-aof", num_args = 1.., allow_hyphen_values = true)]
    check_aof: Option<Vec<String>>,
    /// Config file, then `--directive value...` pairs overriding it.
    #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
    rest: Vec<String>,
}

fn main() -> ExitCode {
    let mut cli = Cli::parse();
    // `redis-server <config> --ping` (the container health check): after the config file clap
    // takes every word as a directive, so pick the probe flag out of them.
    if let Some(i) = cli.rest.iter().position(|a| a == "--ping") {
        cli.rest.remove(i);
        cli.ping = true;
    }
    if cli.version {
        println!(
            "Redis server v={} sha=00000000:0 malloc=libc bits=64 build=0000000000000000 rustredis={}",
            server::REDIS_VERSION,
            server::VERSION
        );
        return ExitCode::SUCCESS;
    }
    if let Some(args) = cli.check_aof {
        let code = aof::check::main(
            "redis-server --check-aof",
            &args,
            &mut std::io::stdin().lock(),
            &mut std::io::stdout(),
        );
        return ExitCode::from(code.clamp(0, 255) as u8);
    }
    let (file, flags) = match cli.rest.split_first() {
        Some((f, rest)) if !f.starts_with("--") => (Some(PathBuf::from(f)), rest.to_vec()),
        _ => (None, cli.rest.clone()),
    };
    let config = match server::Config::load(file.as_deref(), &flags) {
        Ok(c) => c,
        Err(e) => return fail_stderr(e),
    };
    if cli.ping {
        let host = config.probe_host();
        let pass = std::env::var("REDISCLI_AUTH")
            .ok()
            .or(config.requirepass().map(str::to_owned));
        return server::os::ping(&host, config.port(), pass.as_deref())
            .map_or_else(fail_stderr, |()| ExitCode::SUCCESS);
    }
    if let Err(e) = server::log::init(config.logfile(), config.str("loglevel")) {
        return fail_stderr(format!("Can't open the log file: {e}"));
    }
    let pid = std::process::id();
    warn!("oO0OoO0OoO0Oo Redis is starting oO0OoO0OoO0Oo");
    warn!(
        "Redis version={}, bits=64, commit=00000000, modified=0, pid={pid}, just started (rustredis {})",
        server::REDIS_VERSION,
        server::VERSION
    );
    match &file {
        Some(_) => warn!("Configuration loaded"),
        None => warn!("Warning: no config file specified, using the default config. In order to specify a config file use redis-server /path/to/redis.conf"),
    }
    if let Err(e) = std::env::set_current_dir(config.dir()) {
        return fail(format!("Can't chdir to '{}': {e}", config.dir()));
    }
    match server::os::raise_fd_limit(config.maxclients() as u64 + 32) {
        Ok(Some(n)) => info!("Increased maximum number of open files to {n} (it was originally set to a lower value)."),
        Ok(None) => {}
        Err(e) => warn!("{e}"),
    }
    let cpus = std::thread::available_parallelism().map_or(1, |n| n.get());
    let workers = server::os::worker_threads(config.int("io-threads"), cpus);
    info!("Serving clients with {workers} thread(s) ({cpus} CPUs available).");
    match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(workers)
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime.block_on(serve::run(config)),
        Err(e) => fail(format!("Failed to start the runtime: {e}")),
    }
}
