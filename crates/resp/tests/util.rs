use bytes::BytesMut;
use tokio_util::codec::Decoder;

pub fn capture(name: &str) -> Vec<u8> {
    let path = format!("{}/tests/captures/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// Everything `decoder` yields from `chunks` fed in order, then the error (as text) if any.
pub fn feed<D, T>(mut decoder: D, chunks: &[&[u8]]) -> (Vec<T>, Option<String>)
where
    D: Decoder<Item = T, Error = resp::Error>,
{
    let mut buf = BytesMut::new();
    let mut items = Vec::new();
    for chunk in chunks {
        buf.extend_from_slice(chunk);
        loop {
            match decoder.decode(&mut buf) {
                Ok(Some(item)) => items.push(item),
                Ok(None) => break,
                Err(e) => return (items, Some(e.to_string())),
            }
        }
    }
    match decoder.decode_eof(&mut buf) {
        Ok(Some(item)) => {
            items.push(item);
            (items, None)
        }
        Ok(None) => (items, None),
        Err(e) => (items, Some(e.to_string())),
    }
}

/// Asserts that every way of cutting `input` into three pieces decodes as the whole does
/// (tokio-util's framed_read tests, generalised), and returns the whole's outcome.
pub fn every_split<D, T>(make: impl Fn() -> D, input: &[u8]) -> (Vec<T>, Option<String>)
where
    D: Decoder<Item = T, Error = resp::Error>,
    T: PartialEq + std::fmt::Debug,
{
    let whole = feed(make(), &[input]);
    for i in 0..=input.len() {
        for j in i..=input.len() {
            let split = feed(make(), &[&input[..i], &input[i..j], &input[j..]]);
            assert_eq!(
                whole,
                split,
                "split at {i} and {j} of {:?}",
                String::from_utf8_lossy(input)
            );
        }
    }
    let bytewise: Vec<&[u8]> = input.chunks(1).collect();
    assert_eq!(whole, feed(make(), &bytewise), "byte by byte");
    whole
}
