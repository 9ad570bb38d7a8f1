//! Serving: bind, start persistence, serve until a signal or SHUTDOWN, clean up.

use std::process::ExitCode;

use tracing::{info, warn};

/// Logs the reason as the last line and returns a failure exit code.
pub(crate) fn fail(reason: impl std::fmt::Display) -> ExitCode {
    warn!("{reason}");
    ExitCode::FAILURE
}

/// Prints the reason on stderr (before logging is set up) and returns a failure exit code.
pub(crate) fn fail_stderr(reason: impl std::fmt::Display) -> ExitCode {
    eprintln!("{reason}");
    ExitCode::FAILURE
}

pub(crate) async fn run(config: server::Config) -> ExitCode {
    // Signal handlers first: a SIGTERM during the AOF load or right after "Ready to accept
    // connections" must not kill the process with the default action.
    use tokio::signal::unix::{signal, SignalKind};
    let handlers = (
        signal(SignalKind::terminate()),
        signal(SignalKind::interrupt()),
    );
    info!("Running mode=standalone, port={}.", config.port());
    info!(
        "rustredis {} (Redis {} compatible), standalone mode, port {}, PID: {}",
        server::VERSION,
        server::REDIS_VERSION,
        config.port(),
        std::process::id()
    );
    let listeners = match server::bind(&config).await {
        Ok(l) => l,
        Err(e) => {
            if let server::Error::Listen { source, .. } = &e {
                warn!(
                    "Warning: Could not create server TCP listening socket {}:{}: bind: {source}",
                    config.str("bind"),
                    config.port()
                );
            }
            return fail(e);
        }
    };
    if let Some(p) = config.pidfile() {
        if let Err(e) = server::os::write_pidfile(p) {
            warn!("Failed to write PID file: {e}");
        }
    }
    let pidfile = config.pidfile().map(str::to_owned);
    let shared = server::Shared::new(config);
    warn!("Server initialized");
    let signals = async move {
        let (Ok(mut term), Ok(mut int)) = handlers else {
            return std::future::pending().await;
        };
        tokio::select! {
            _ = term.recv() => warn!("Received SIGTERM scheduling shutdown..."),
            _ = int.recv() => warn!("Received SIGINT scheduling shutdown..."),
        }
    };
    // Serves at once (-LOADING while the AOF loads), logs "Ready to accept connections" once
    // loaded, flushes and fsyncs the AOF at the end.
    let result = server::serve_persistent(listeners, shared, signals).await;
    if let Some(p) = pidfile {
        let _ = std::fs::remove_file(p);
    }
    match result {
        Ok(()) => {
            warn!("Redis is now ready to exit, bye bye...");
            ExitCode::SUCCESS
        }
        Err(e) => fail(e),
    }
}
