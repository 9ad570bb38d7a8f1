//! Logging in Redis's format: `<pid>:<role> <dd Mon yyyy hh:mm:ss.mmm> <level> <message>`, one
//! line per event, written (and so flushed) at once, to stdout or the `logfile`.
//!
//! Levels map as Redis prints them: `.` debug/trace, `-` verbose, `*` notice (info), `#`
//! warning and errors.

use std::fmt::Write as _;
use std::sync::Mutex;

use tracing::{Event, Level, Subscriber};
use tracing_subscriber::fmt::format::Writer;
use tracing_subscriber::fmt::{FmtContext, FormatEvent, FormatFields};
use tracing_subscriber::registry::LookupSpan;

/// Redis-style event formatter.
#[derive(Debug, Default)]
pub struct RedisFormat;

impl<S, N> FormatEvent<S, N> for RedisFormat
where
    S: Subscriber + for<'a> LookupSpan<'a>,
    N: for<'a> FormatFields<'a> + 'static,
{
    fn format_event(
        &self,
        ctx: &FmtContext<'_, S, N>,
        mut writer: Writer<'_>,
        event: &Event<'_>,
    ) -> std::fmt::Result {
        let level = match *event.metadata().level() {
            Level::ERROR | Level::WARN => '#',
            Level::INFO => '*',
            Level::DEBUG => '-',
            Level::TRACE => '.',
        };
        write!(
            writer,
            "{}:M {} {} ",
            std::process::id(),
            timestamp(),
            level
        )?;
        ctx.field_format().format_fields(writer.by_ref(), event)?;
        writeln!(writer)
    }
}

/// The local time as Redis prints it: `25 Nov 2026 11:22:33.123`.
pub fn timestamp() -> String {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default();
    let secs = now.as_secs() as libc::time_t;
    // SAFETY: localtime_r writes into the zeroed `tm` we own; a null return leaves it zeroed.
    let mut tm: libc::tm = unsafe { std::mem::zeroed() };
    unsafe {
        libc::localtime_r(&secs, &mut tm);
    }
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let mut s = String::with_capacity(24);
    let _ = write!(
        s,
        "{:02} {} {} {:02}:{:02}:{:02}.{:03}",
        tm.tm_mday,
        MONTHS[tm.tm_mon.clamp(0, 11) as usize],
        tm.tm_year + 1900,
        tm.tm_hour,
        tm.tm_min,
        tm.tm_sec,
        now.subsec_millis()
    );
    s
}

/// A writer that appends each log line with one `write` call (to stdout or a file).
#[derive(Debug)]
pub enum LogTarget {
    /// Standard output.
    Stdout,
    /// An append-mode file.
    File(Mutex<std::fs::File>),
}

impl std::io::Write for &LogTarget {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        match self {
            LogTarget::Stdout => {
                let mut out = std::io::stdout().lock();
                out.write_all(buf)?;
                out.flush()?;
                Ok(buf.len())
            }
            LogTarget::File(f) => {
                let mut f = f.lock().map_err(|_| std::io::Error::other("log lock"))?;
                f.write_all(buf)?;
                Ok(buf.len())
            }
        }
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Installs the global subscriber: Redis format, `loglevel`, `logfile` (stdout when empty).
/// Returns an error if the log file cannot be opened.
pub fn init(logfile: Option<&str>, loglevel: &str) -> std::io::Result<()> {
    let target: &'static LogTarget = Box::leak(Box::new(match logfile {
        None => LogTarget::Stdout,
        Some(path) => LogTarget::File(Mutex::new(
            std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(path)?,
        )),
    }));
    let level = match loglevel {
        "debug" => Level::TRACE,
        "verbose" => Level::DEBUG,
        "warning" => Level::WARN,
        _ => Level::INFO,
    };
    let _ = tracing_subscriber::fmt()
        .event_format(RedisFormat)
        .with_max_level(level)
        .with_writer(move || target)
        .try_init();
    Ok(())
}
