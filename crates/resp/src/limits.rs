/// Redis's default `proto-max-bulk-len`: 512 MB.
pub const PROTO_MAX_BULK_LEN: usize = 512 * 1024 * 1024;
/// Redis's limit on the number of elements of a multibulk request.
pub const MAX_MULTIBULK_LEN: usize = 1024 * 1024 * 1024;
/// Redis's limit on an inline request (and on a length line): 64 KB.
pub const PROTO_INLINE_MAX_SIZE: usize = 64 * 1024;
/// Before AUTH, Redis accepts at most this many arguments...
pub const UNAUTH_MAX_MULTIBULK_LEN: usize = 10;
/// ...and bulks of at most this many bytes.
pub const UNAUTH_MAX_BULK_LEN: usize = 16384;

/// Protocol limits applied by the request decoder.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Largest accepted bulk string (`proto-max-bulk-len`).
    pub proto_max_bulk_len: usize,
    /// Largest accepted multibulk element count.
    pub max_multibulk_len: usize,
    /// Largest inline request / length line.
    pub inline_max_size: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            proto_max_bulk_len: PROTO_MAX_BULK_LEN,
            max_multibulk_len: MAX_MULTIBULK_LEN,
            inline_max_size: PROTO_INLINE_MAX_SIZE,
        }
    }
}
