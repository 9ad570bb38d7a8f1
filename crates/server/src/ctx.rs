//! [`Ctx`]: what a command handler gets — the connection's state, the shared server state, the
//! reply buffer ([`Out`]) and the persistence hook.

use bytes::{Bytes, BytesMut};
use resp::{write, Protocol};

use crate::client::Client;
use crate::error::CmdError;
use crate::shared::Shared;

/// The reply buffer of a connection with writers that honour its protocol version. Every
/// writer appends to the buffer; nothing is sent until the batch ends.
#[derive(Debug)]
pub struct Out<'a> {
    buf: &'a mut BytesMut,
    proto: Protocol,
}

impl<'a> Out<'a> {
    /// Wraps a buffer.
    pub fn new(buf: &'a mut BytesMut, proto: Protocol) -> Out<'a> {
        Out { buf, proto }
    }

    /// The protocol version (RESP2 or RESP3).
    #[inline]
    pub fn proto(&self) -> Protocol {
        self.proto
    }

    /// Whether the connection speaks RESP3.
    #[inline]
    pub fn resp3(&self) -> bool {
        self.proto == Protocol::Resp3
    }

    /// The raw buffer, for writers of the `resp::write` module not wrapped here.
    #[inline]
    pub fn buf(&mut self) -> &mut BytesMut {
        self.buf
    }

    /// Bytes written so far (to undo a partial reply: [`truncate`](Self::truncate)).
    #[inline]
    pub fn len(&self) -> usize {
        self.buf.len()
    }

    /// Whether the buffer is empty.
    #[inline]
    pub fn is_empty(&self) -> bool {
        self.buf.is_empty()
    }

    /// Drops what was written after `len`.
    #[inline]
    pub fn truncate(&mut self, len: usize) {
        self.buf.truncate(len);
    }

    /// `+OK`
    #[inline]
    pub fn ok(&mut self) {
        write::ok(self.buf)
    }

    /// `+{s}` (no CR/LF inside).
    #[inline]
    pub fn simple(&mut self, s: &[u8]) {
        write::simple(self.buf, s)
    }

    /// `:{n}`
    #[inline]
    pub fn int(&mut self, n: i64) {
        write::integer(self.buf, n)
    }

    /// `${len}\r\n{data}`
    #[inline]
    pub fn bulk(&mut self, data: &[u8]) {
        write::bulk(self.buf, data)
    }

    /// An integer as a bulk string.
    #[inline]
    pub fn bulk_int(&mut self, n: i64) {
        write::bulk_integer(self.buf, n)
    }

    /// `Some(data)` as a bulk, `None` as the null bulk.
    #[inline]
    pub fn opt_bulk(&mut self, data: Option<&[u8]>) {
        match data {
            Some(d) => self.bulk(d),
            None => self.null(),
        }
    }

    /// The null bulk: `$-1` (RESP2) / `_` (RESP3).
    #[inline]
    pub fn null(&mut self) {
        write::null(self.buf, self.proto)
    }

    /// The null array: `*-1` (RESP2) / `_` (RESP3).
    #[inline]
    pub fn null_array(&mut self) {
        write::null_array(self.buf, self.proto)
    }

    /// `*{n}`: an array header; write the `n` elements next.
    #[inline]
    pub fn array(&mut self, n: usize) {
        write::array_len(self.buf, n)
    }

    /// A map header of `n` pairs: `%n` (RESP3) / `*2n` (RESP2); write key, value, ... next.
    #[inline]
    pub fn map(&mut self, n: usize) {
        write::map_len(self.buf, n, self.proto)
    }

    /// A set header: `~n` (RESP3) / `*n` (RESP2).
    #[inline]
    pub fn set(&mut self, n: usize) {
        write::set_len(self.buf, n, self.proto)
    }

    /// A boolean: `#t`/`#f` (RESP3) / `:1`/`:0` (RESP2).
    #[inline]
    pub fn boolean(&mut self, b: bool) {
        write::boolean(self.buf, b, self.proto)
    }

    /// A double, formatted as Redis does for RESP3 `,` replies (`%.17g`; `inf`, `-inf`); in
    /// RESP2 a bulk string of the same text.
    pub fn double(&mut self, v: f64) {
        let text = format_double(v);
        write::double_text(self.buf, text.as_bytes(), self.proto)
    }

    /// A double given as text (`,{text}` in RESP3, bulk in RESP2).
    #[inline]
    pub fn double_text(&mut self, text: &[u8]) {
        write::double_text(self.buf, text, self.proto)
    }

    /// A verbatim `txt` string (RESP3 `=`), a bulk string in RESP2 (INFO, CLIENT LIST).
    #[inline]
    pub fn verbatim(&mut self, text: &[u8]) {
        write::verbatim(self.buf, b"txt", text, self.proto)
    }

    /// An error reply from a [`CmdError`] (the dispatcher does this for returned errors;
    /// use it for errors *inside* an aggregate, e.g. EXEC's results).
    pub fn error(&mut self, e: &CmdError) {
        let text = e.to_string();
        write::error(self.buf, text.as_bytes())
    }

    /// An array of bulk strings.
    pub fn bulks<A: AsRef<[u8]>>(&mut self, items: &[A]) {
        self.array(items.len());
        for i in items {
            self.bulk(i.as_ref());
        }
    }
}

/// Formats a double like Redis's `%.17g` with `inf`/`-inf`.
pub fn format_double(v: f64) -> String {
    if v.is_infinite() {
        return if v > 0.0 { "inf".into() } else { "-inf".into() };
    }
    if v == v.trunc() && v.abs() < 1e17 {
        return format!("{}", v as i64);
    }
    // %.17g: 17 significant digits, shortest exponent form when needed.
    let s = format!("{:.16e}", v);
    let (mant, exp) = s.split_once('e').unwrap_or((&s, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    if (-5..17).contains(&exp) {
        let decimals = (16 - exp).max(0) as usize;
        let t = format!("{:.*}", decimals, v);
        let t = if t.contains('.') {
            t.trim_end_matches('0').trim_end_matches('.').to_string()
        } else {
            t
        };
        t
    } else {
        let m = mant.trim_end_matches('0').trim_end_matches('.');
        format!("{}e{}{:02}", m, if exp < 0 { '-' } else { '+' }, exp.abs())
    }
}

/// The context of one command execution.
pub struct Ctx<'a> {
    /// The reply buffer.
    pub out: Out<'a>,
    /// This connection's state.
    pub client: &'a mut Client,
    /// Server-wide state.
    pub shared: &'a Shared,
    /// The whole command as received (name first), for propagating it unchanged.
    pub argv: &'a [Bytes],
    /// Set while EXEC runs the queue: effects are collected, then wrapped in MULTI/EXEC.
    pub(crate) in_exec: Option<&'a mut Vec<(usize, Vec<Bytes>)>>,
}

impl std::fmt::Debug for Ctx<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Ctx")
            .field("client", &self.client.id())
            .field("db", &self.client.db)
            .finish_non_exhaustive()
    }
}

impl<'a> Ctx<'a> {
    /// The keyspace.
    #[inline]
    pub fn store(&self) -> &'a store::Store {
        &self.shared.store
    }

    /// The client's selected database.
    #[inline]
    pub fn db(&self) -> store::Db<'a> {
        self.shared.store.db(self.client.db)
    }

    /// The selected database index.
    #[inline]
    pub fn db_index(&self) -> usize {
        self.client.db
    }

    /// Current time, ms since the Unix epoch (the store's clock: tests can inject one).
    #[inline]
    pub fn now_ms(&self) -> u64 {
        self.shared.store.now_ms()
    }

    /// The connection's protocol.
    #[inline]
    pub fn proto(&self) -> Protocol {
        self.out.proto()
    }

    /// Whether this command's effects are logged (the AOF is on; decided once per command).
    /// Check this before building an effect that needs allocation.
    #[inline]
    pub fn propagating(&self) -> bool {
        self.client.logged
    }

    /// Records the effect of a write: `argv` will be replayed from the AOF in the current db.
    /// Call it only when the command changed something, once per effect, in order
    /// (`SET k v EX 10` → `SET k v` + `PEXPIREAT k <abs-ms>`). Counts one change for INFO
    /// (`rdb_changes_since_last_save`). A no-op (apart from the counter) without a sink.
    pub fn propagate(&mut self, argv: &[Bytes]) {
        self.shared.stats.dirty.add(1);
        if !self.propagating() {
            return;
        }
        let db = self.client.db;
        if let Some(buf) = self.in_exec.as_deref_mut() {
            buf.push((db, argv.to_vec()));
            return;
        }
        if let Some(sink) = self.shared.propagate.read().as_ref() {
            sink.append(db, argv);
            self.client.propagated = true;
        }
    }

    /// Propagates the command exactly as received.
    pub fn propagate_argv(&mut self) {
        let argv = self.argv;
        self.propagate(argv);
    }

    /// Propagates a command built from byte slices (copies them; only when propagating).
    pub fn propagate_parts(&mut self, parts: &[&[u8]]) {
        if !self.propagating() {
            self.shared.stats.dirty.add(1);
            return;
        }
        let argv: Vec<Bytes> = parts.iter().map(|p| Bytes::copy_from_slice(p)).collect();
        self.propagate(&argv);
    }

    /// Counts a key lookup for INFO `keyspace_hits` / `keyspace_misses`.
    #[inline]
    pub fn count_lookup(&self, hit: bool) {
        let c = if hit {
            &self.shared.stats.keyspace_hits
        } else {
            &self.shared.stats.keyspace_misses
        };
        c.add(1);
    }
}

#[cfg(test)]
mod tests {
    use super::format_double;

    #[test]
    fn doubles() {
        assert_eq!(format_double(1.5), "1.5");
        assert_eq!(format_double(3.0), "3");
        assert_eq!(format_double(0.1), "0.10000000000000001");
        assert_eq!(format_double(f64::INFINITY), "inf");
        assert_eq!(format_double(1e20), "1e+20");
    }
}
