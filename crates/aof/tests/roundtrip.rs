use aof::{Aof, Batch, Config, FsyncPolicy};

use crate::util::{cmd, load_all};

#[test]
fn every_logged_command_round_trips() {
    let tmp = tempfile::tempdir().unwrap();
    let cfg = Config {
        fsync: FsyncPolicy::No,
        ..Config::in_dir(tmp.path())
    };
    let binary: Vec<u8> = (0..=255u8).collect();
    let logged: Vec<(usize, Vec<Vec<u8>>)> = vec![
        (0, cmd(&["SET", "k", "v"])),
        (0, cmd(&["PEXPIREAT", "k", "4102444800000"])),
        (0, cmd(&["SET", "f", "1.5"])),
        (3, cmd(&["HSET", "h", "a", "1", "b", "2"])),
        (3, cmd(&["HDEL", "h", "a"])),
        (3, cmd(&["INCRBY", "n", "5"])),
        (0, cmd(&["DEL", "k", "f"])),
        (0, cmd(&["MULTI"])),
        (0, cmd(&["SET", "a", "1"])),
        (0, cmd(&["INCR", "a"])),
        (0, cmd(&["EXEC"])),
        (15, cmd(&["FLUSHDB"])),
        (15, vec![b"SET".to_vec(), binary.clone(), b"".to_vec()]),
        (0, cmd(&["FLUSHALL"])),
    ];
    let log = Aof::open(cfg.clone()).unwrap();
    let mut batch = Batch::new();
    for (db, c) in &logged {
        batch.push(*db, c);
    }
    log.write(&mut batch).unwrap();
    assert!(batch.is_empty());
    log.close().unwrap();

    let (got, stats) = load_all(&cfg).unwrap();
    let mut want = Vec::new();
    let mut db = None;
    for (d, c) in &logged {
        if db != Some(*d) {
            want.push(cmd(&["SELECT", &d.to_string()]));
            db = Some(*d);
        }
        want.push(c.clone());
    }
    assert_eq!(got, want);
    assert_eq!(stats.commands as usize, want.len());
    assert_eq!(stats.files, 2);
}

#[test]
fn reopen_appends_to_last_incr_and_reselects() {
    let tmp = tempfile::tempdir().unwrap();
    let cfg = Config::in_dir(tmp.path());
    for round in 0..3 {
        let log = Aof::open(cfg.clone()).unwrap();
        assert_eq!(log.status().current_file, "appendonly.aof.1.incr.aof");
        let mut b = Batch::new();
        b.push(2, &["SET", "k", &round.to_string()]);
        log.write(&mut b).unwrap();
        log.close().unwrap();
    }
    let (got, _) = load_all(&cfg).unwrap();
    assert_eq!(got.len(), 6);
    assert_eq!(got[2], cmd(&["SELECT", "2"]));
    assert_eq!(got[5], cmd(&["SET", "k", "2"]));
    let manifest = std::fs::read_to_string(cfg.aof_dir().join("appendonly.aof.manifest")).unwrap();
    assert_eq!(
        manifest,
        "file appendonly.aof.1.base.aof seq 1 type b\nfile appendonly.aof.1.incr.aof seq 1 type i\n"
    );
}

#[test]
fn select_only_when_db_changes_across_batches() {
    let tmp = tempfile::tempdir().unwrap();
    let cfg = Config::in_dir(tmp.path());
    let log = Aof::open(cfg.clone()).unwrap();
    for db in [0, 0, 1, 1, 0] {
        let mut b = Batch::new();
        b.push(db, &["DEL", "x"]);
        log.write(&mut b).unwrap();
    }
    log.close().unwrap();
    let (got, _) = load_all(&cfg).unwrap();
    let names: Vec<String> = got
        .iter()
        .map(|c| String::from_utf8_lossy(&c[0]).into_owned())
        .collect();
    assert_eq!(
        names,
        ["SELECT", "DEL", "DEL", "SELECT", "DEL", "DEL", "SELECT", "DEL"]
    );
}

#[test]
fn old_style_file_is_adopted() {
    let tmp = tempfile::tempdir().unwrap();
    let cfg = Config::in_dir(tmp.path());
    let mut data = crate::util::resp(&["SELECT", "0"]);
    data.extend(crate::util::resp(&["SET", "old", "1"]));
    std::fs::write(tmp.path().join("appendonly.aof"), &data).unwrap();
    let (got, stats) = load_all(&cfg).unwrap();
    assert!(stats.upgraded);
    assert_eq!(got[1], cmd(&["SET", "old", "1"]));
    assert!(!tmp.path().join("appendonly.aof").exists());
    assert!(cfg.aof_dir().join("appendonly.aof").exists());
    // Now a normal multi-part directory: opening adds an incr file after the adopted base.
    let log = Aof::open(cfg.clone()).unwrap();
    let mut b = Batch::new();
    b.push(0, &["SET", "new", "2"]);
    log.write(&mut b).unwrap();
    log.close().unwrap();
    let (got, stats) = load_all(&cfg).unwrap();
    assert!(!stats.upgraded);
    assert_eq!(got.len(), 4);
    let manifest = std::fs::read_to_string(cfg.aof_dir().join("appendonly.aof.manifest")).unwrap();
    assert_eq!(
        manifest,
        "file appendonly.aof seq 1 type b\nfile appendonly.aof.1.incr.aof seq 1 type i\n"
    );
}

#[test]
fn annotations_are_skipped() {
    let tmp = tempfile::tempdir().unwrap();
    let mut incr = b"#TS:1700000000\r\n".to_vec();
    incr.extend(crate::util::resp(&["SET", "a", "b"]));
    incr.extend(b"#TS:1700000001\r\n");
    let cfg = crate::util::make_dir(tmp.path(), b"", &[&incr]);
    let (got, stats) = load_all(&cfg).unwrap();
    assert_eq!(got, vec![cmd(&["SET", "a", "b"])]);
    assert_eq!(stats.truncated, None);
}

#[test]
fn no_manifest_loads_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let (got, stats) = load_all(&Config::in_dir(tmp.path())).unwrap();
    assert!(got.is_empty());
    assert_eq!(stats.files, 0);
}

/// `aof-timestamp-enabled`: a `#TS:<secs>` line starts the incremental file and each new
/// second; a rewritten base starts with one; loading skips them; turned off, none is written.
#[test]
fn timestamp_annotations_are_written_and_skipped() {
    let tmp = tempfile::tempdir().unwrap();
    let cfg = Config {
        fsync: FsyncPolicy::No,
        timestamps: true,
        ..Config::in_dir(tmp.path())
    };
    let log = Aof::open(cfg.clone()).unwrap();
    let incr = cfg.file_path(&log.status().current_file);
    let secs = || {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs()
    };
    let before = secs();
    let mut b = Batch::new();
    b.push(0, &cmd(&["SET", "a", "1"]));
    log.write(&mut b).unwrap();
    b.push(0, &cmd(&["SET", "b", "2"]));
    log.write(&mut b).unwrap();
    let text = String::from_utf8(std::fs::read(&incr).unwrap()).unwrap();
    let ts: u64 = text
        .strip_prefix("#TS:")
        .and_then(|t| t.split("\r\n").next())
        .and_then(|t| t.parse().ok())
        .unwrap_or_else(|| panic!("no leading #TS line: {text:?}"));
    assert!(ts >= before && ts <= secs(), "{ts}");
    // Within one second: at most one more annotation (if the second changed in between).
    assert!(text.matches("#TS:").count() <= 2, "{text:?}");
    // The next second gets its own line.
    std::thread::sleep(std::time::Duration::from_millis(1100));
    b.push(0, &cmd(&["SET", "c", "3"]));
    log.write(&mut b).unwrap();
    let text = String::from_utf8(std::fs::read(&incr).unwrap()).unwrap();
    assert!(text.matches("#TS:").count() >= 2, "{text:?}");
    assert!(text.ends_with(&String::from_utf8(crate::util::resp(&["SET", "c", "3"])).unwrap()));
    // Off at run time: none more.
    log.set_timestamps(false);
    std::thread::sleep(std::time::Duration::from_millis(1100));
    let n = text.matches("#TS:").count();
    b.push(0, &cmd(&["SET", "d", "4"]));
    log.write(&mut b).unwrap();
    let text = String::from_utf8(std::fs::read(&incr).unwrap()).unwrap();
    assert_eq!(text.matches("#TS:").count(), n);
    // A rewrite's base starts with one.
    log.set_timestamps(true);
    let rw = log.start_rewrite().unwrap();
    let mut w = rw.base_writer().unwrap();
    w.command(0, &cmd(&["SET", "a", "1"])).unwrap();
    w.finish().unwrap();
    log.finish_rewrite(rw).unwrap();
    let base = std::fs::read_dir(cfg.aof_dir())
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .find(|p| p.to_string_lossy().ends_with(".base.aof"))
        .unwrap();
    assert!(std::fs::read(&base).unwrap().starts_with(b"#TS:"));
    log.close().unwrap();
    let (got, _) = load_all(&cfg).unwrap();
    assert_eq!(
        got,
        vec![cmd(&["SELECT", "0"]), cmd(&["SET", "a", "1"])],
        "only the base's command (the new incr file is empty)"
    );
}
