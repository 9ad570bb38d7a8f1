//! `aof::fuzzing::loader` (the body of the `aof_loader` cargo-fuzz target) on stable: seeded
//! random bytes, and valid AOF files with bytes flipped, cut or inserted. Any panic fails.

/// A small xorshift PRNG: the inputs are the same on every run.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

const VALID: &[u8] = b"*2\r\n$6\r\nSELECT\r\n$1\r\n0\r\n*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nv\r\n\
*1\r\n$5\r\nMULTI\r\n*3\r\n$4\r\nINCR\r\n$1\r\nn\r\n*1\r\n$4\r\nEXEC\r\n#TS:1700000000\r\n\
*3\r\n$9\r\nPEXPIREAT\r\n$1\r\nk\r\n$13\r\n4102444800000\r\n";

const MANIFEST: &[u8] = b"file appendonly.aof.1.base.aof seq 1 type b\n\
file appendonly.aof.1.incr.aof seq 1 type i\n";

fn mutate(rng: &mut Rng, input: &mut Vec<u8>) {
    for _ in 0..=rng.below(4) {
        let at = rng.below(input.len() + 1);
        match rng.below(4) {
            0 if at < input.len() => input[at] = rng.next() as u8,
            1 => input.truncate(at),
            2 => input.insert(at, b"\r\n*$-0123456789x\0"[rng.below(17)]),
            _ => {
                let end = (at + rng.below(8)).min(input.len());
                input.drain(at..end);
            }
        }
    }
}

#[test]
fn random_and_mutated_inputs_do_not_panic() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut rng = Rng(0x5eed_a0f0_f022);
    for i in 0..1500 {
        let mut input = Vec::new();
        match i % 3 {
            0 => {
                input.push(0);
                input.extend(VALID);
            }
            1 => {
                input.push(1);
                input.extend(MANIFEST);
                input.push(0);
                input.extend(VALID);
                input.push(0);
                input.extend(VALID);
            }
            _ => input.extend((0..rng.below(200)).map(|_| rng.next() as u8)),
        }
        if i % 3 != 2 {
            mutate(&mut rng, &mut input);
        }
        aof::fuzzing::loader(dir.path(), &input);
    }
}
