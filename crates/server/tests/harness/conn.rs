//! A blocking test connection sending one command at a time, and the test process's fd limit.
//! Test modules add their own helper methods in `impl Conn` blocks of their own.

use std::io::{BufReader, Write};
use std::net::TcpStream;
use std::time::Duration;

use crate::harness::resp::{encode_command, read_reply};
use crate::harness::servers::ServerProc;

/// `args` encoded as a RESP array.
pub fn cmd(args: &[&[u8]]) -> Vec<u8> {
    let mut out = Vec::new();
    encode_command(
        &args.iter().map(|a| a.to_vec()).collect::<Vec<_>>(),
        &mut out,
    );
    out
}

/// One request, one reply, on `conn`.
pub fn call(conn: &mut TcpStream, args: &[&[u8]]) -> Vec<u8> {
    conn.write_all(&cmd(args)).expect("write");
    let mut r = BufReader::new(conn.try_clone().expect("clone"));
    read_reply(&mut r).expect("reply")
}

/// Stops a server process with SIGTERM; it must exit 0 within 10 s.
pub fn sigterm(mut srv: ServerProc) {
    if let Some(pid) = srv.pid() {
        // SAFETY: kill(2) on our own child's pid.
        unsafe {
            libc::kill(pid as i32, libc::SIGTERM);
        }
        let st = srv.wait_exit(Duration::from_secs(10));
        assert!(
            st.is_some_and(|s| s.success()),
            "exit after SIGTERM: {st:?}\n{}",
            srv.log()
        );
    }
}

/// A blocking connection: write one command, read its reply.
pub struct Conn {
    /// The read half, buffered.
    pub r: BufReader<TcpStream>,
    /// The write half.
    pub w: TcpStream,
}

impl Conn {
    /// Connects to `srv` (panics if it cannot).
    pub fn new(srv: &ServerProc) -> Conn {
        let s = srv.connect().expect("connect");
        Conn {
            r: BufReader::new(s.try_clone().expect("clone")),
            w: s,
        }
    }

    /// Sends `args` as a RESP array and returns the raw reply.
    pub fn try_cmd(&mut self, args: &[&str]) -> std::io::Result<Vec<u8>> {
        let args: Vec<Vec<u8>> = args.iter().map(|a| a.as_bytes().to_vec()).collect();
        let mut out = Vec::new();
        encode_command(&args, &mut out);
        self.w.write_all(&out)?;
        read_reply(&mut self.r)
    }

    /// Sends `args` and returns the reply as (lossy) text; panics on I/O errors.
    pub fn cmd(&mut self, args: &[&str]) -> String {
        let r = self.try_cmd(args).expect("reply");
        String::from_utf8_lossy(&r).into_owned()
    }
}

/// Raises the soft RLIMIT_NOFILE to at least `want` (up to the hard limit); false if impossible.
pub fn ensure_fd_limit(want: u64) -> bool {
    // SAFETY: getrlimit/setrlimit with a valid pointer to a local rlimit struct.
    unsafe {
        let mut lim = libc::rlimit {
            rlim_cur: 0,
            rlim_max: 0,
        };
        if libc::getrlimit(libc::RLIMIT_NOFILE, &mut lim) != 0 {
            return false;
        }
        if lim.rlim_cur >= want as libc::rlim_t {
            return true;
        }
        if lim.rlim_max < want as libc::rlim_t {
            return false;
        }
        lim.rlim_cur = want as libc::rlim_t;
        libc::setrlimit(libc::RLIMIT_NOFILE, &lim) == 0
    }
}
