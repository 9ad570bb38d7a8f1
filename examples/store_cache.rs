//! The store as an in-process cache: several threads share one `Store` through an `Arc`,
//! caching computed values with TTLs, while a background thread runs the active expiry cycle.
//!
//! Run with `cargo run -p store --example store_cache`.

use std::sync::Arc;
use std::thread;
use std::time::Duration;

use store::Store;

/// A stand-in for an expensive computation.
fn compute(n: u64) -> String {
    format!("value-of-{}", n * n)
}

fn main() -> Result<(), store::Error> {
    let cache = Arc::new(Store::new());

    // The active expiry cycle, as a server would run it every 100 ms.
    let expirer = {
        let cache = Arc::clone(&cache);
        thread::spawn(move || {
            for _ in 0..10 {
                cache.expire_cycle();
                thread::sleep(Duration::from_millis(100));
            }
        })
    };

    let workers: Vec<_> = (0..4)
        .map(|t| {
            let cache = Arc::clone(&cache);
            thread::spawn(move || -> Result<(u64, u64), store::Error> {
                let (mut hits, mut misses) = (0, 0);
                for i in 0..1000u64 {
                    let n = (i * 7 + t) % 50;
                    let key = format!("square:{n}");
                    match cache.get(&key)? {
                        Some(_) => hits += 1,
                        None => {
                            misses += 1;
                            cache.set_with_ttl(&key, compute(n), Duration::from_millis(300))?;
                        }
                    }
                    cache.incr_by("requests", 1)?;
                    cache.hset("last_seen", format!("worker{t}"), i.to_string())?;
                }
                Ok((hits, misses))
            })
        })
        .collect();

    for (t, w) in workers.into_iter().enumerate() {
        match w.join() {
            Ok(Ok((hits, misses))) => println!("worker {t}: {hits} hits, {misses} misses"),
            Ok(Err(e)) => return Err(e),
            Err(_) => eprintln!("worker {t} panicked"),
        }
    }
    println!("requests = {:?}", cache.get("requests")?);
    println!("last_seen = {:?}", cache.hgetall("last_seen")?);
    println!("ttl of square:1 = {:?}", cache.ttl("square:1"));

    let _ = expirer.join();
    println!(
        "after 1 s: square:1 = {:?} (expired)",
        cache.get("square:1")?
    );
    println!("keys left in db 0: {}", cache.db(0).dbsize());
    Ok(())
}
