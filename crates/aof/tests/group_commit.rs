use std::time::Instant;

use aof::{Aof, Batch, Config, FsyncPolicy};

use crate::util::load_all;

#[test]
fn always_many_threads_share_fsyncs() {
    let tmp = tempfile::tempdir().unwrap();
    let cfg = Config {
        fsync: FsyncPolicy::Always,
        ..Config::in_dir(tmp.path())
    };
    let log = Aof::open(cfg.clone()).unwrap();
    let threads = 16;
    let per = 50;
    let t0 = Instant::now();
    let hs: Vec<_> = (0..threads)
        .map(|t| {
            let log = log.clone();
            std::thread::spawn(move || {
                let mut b = Batch::new();
                for i in 0..per {
                    b.push(0, &["SET", &format!("t{t}"), &i.to_string()]);
                    let ticket = log.write(&mut b).unwrap();
                    log.wait_durable_blocking(ticket).unwrap();
                }
            })
        })
        .collect();
    for h in hs {
        h.join().unwrap();
    }
    let st = log.status();
    eprintln!(
        "{} acknowledged writes, {} fsyncs, {:?}",
        threads * per,
        st.fsyncs,
        t0.elapsed()
    );
    assert!(st.fsyncs >= 1);
    assert!(
        st.fsyncs < (threads * per) as u64,
        "group commit: {} fsyncs",
        st.fsyncs
    );
    log.close().unwrap();
    assert_eq!(load_all(&cfg).unwrap().0.len(), 1 + threads * per);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn always_async_waiters() {
    let tmp = tempfile::tempdir().unwrap();
    let cfg = Config {
        fsync: FsyncPolicy::Always,
        ..Config::in_dir(tmp.path())
    };
    let log = Aof::open(cfg.clone()).unwrap();
    let mut tasks = Vec::new();
    for t in 0..32 {
        let log = log.clone();
        tasks.push(tokio::spawn(async move {
            let mut b = Batch::new();
            for i in 0..20 {
                b.push(0, &["SET", &format!("t{t}"), &i.to_string()]);
                let ticket = log.write(&mut b).unwrap();
                log.wait_durable(ticket).await.unwrap();
            }
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    assert!(log.status().fsyncs < 640);
    log.close().unwrap();
    assert_eq!(load_all(&cfg).unwrap().0.len(), 641);
}

#[test]
fn everysec_syncs_in_background_and_policy_changes() {
    let tmp = tempfile::tempdir().unwrap();
    let cfg = Config {
        fsync: FsyncPolicy::EverySec,
        ..Config::in_dir(tmp.path())
    };
    let log = Aof::open(cfg).unwrap();
    let mut b = Batch::new();
    b.push(0, &["SET", "a", "1"]);
    let t = log.write(&mut b).unwrap();
    // Not `always`: returns at once.
    log.wait_durable_blocking(t).unwrap();
    let deadline = Instant::now() + std::time::Duration::from_secs(3);
    while log.status().fsyncs == 0 && Instant::now() < deadline {
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    assert!(log.status().fsyncs >= 1, "the background thread fsynced");
    log.set_fsync(FsyncPolicy::Always);
    assert_eq!(log.fsync(), FsyncPolicy::Always);
    b.push(0, &["SET", "a", "2"]);
    let t = log.write(&mut b).unwrap();
    let before = log.status().fsyncs;
    log.wait_durable_blocking(t).unwrap();
    assert!(log.status().fsyncs > before);
    log.close().unwrap();
    assert!(matches!(log.write(&mut b), Ok(_) | Err(aof::Error::Closed)));
    b.push(0, &["SET", "a", "3"]);
    assert!(matches!(log.write(&mut b), Err(aof::Error::Closed)));
}
