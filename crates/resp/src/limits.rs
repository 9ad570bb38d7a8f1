//! Redis's protocol limits and their defaults.

/// Redis's default `proto-max-bulk-len`: 512 MB.
pub const PROTO_MAX_BULK_LEN: usize = 512 * 1024 * 1024;
/// Redis's limit on the number of elements of a multibulk request: `INT_MAX`. (Redis 7.0.15
/// accepts `*2147483647` and refuses `*2147483648` with `invalid multibulk length`.)
pub const MAX_MULTIBULK_LEN: usize = i32::MAX as usize;
/// Redis's limit on an inline request (and on a length line): 64 KB.
pub const PROTO_INLINE_MAX_SIZE: usize = 64 * 1024;
/// Before AUTH, Redis accepts at most this many arguments...
pub const UNAUTH_MAX_MULTIBULK_LEN: usize = 10;
/// ...and bulks of at most this many bytes.
pub const UNAUTH_MAX_BULK_LEN: usize = 16384;
/// How deep the [`FrameCodec`](crate::FrameCodec) lets aggregates nest by default.
pub const MAX_FRAME_DEPTH: usize = 128;

/// Protocol limits applied by the request decoder (and by the frame codec to lengths).
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
