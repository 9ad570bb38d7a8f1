use aof::{Config, Error, ExecError};

use crate::util::{cmd, load_all, make_dir, resp};

fn three_commands() -> (Vec<u8>, usize) {
    let mut data = resp(&["SELECT", "0"]);
    data.extend(resp(&["SET", "a", "1"]));
    let keep = data.len();
    data.extend(resp(&["SET", "bb", "hello world"]));
    (data, keep)
}

#[test]
fn torn_tail_at_every_offset_is_cut_at_last_complete_command() {
    let (data, keep) = three_commands();
    for cut in keep..data.len() {
        let tmp = tempfile::tempdir().unwrap();
        let cfg = make_dir(tmp.path(), b"", &[&data[..cut]]);
        let (got, stats) = load_all(&cfg).unwrap();
        assert_eq!(got.len(), 2, "cut at {cut}");
        let incr = cfg.aof_dir().join("appendonly.aof.1.incr.aof");
        if cut == keep {
            assert_eq!(stats.truncated, None);
        } else {
            assert_eq!(
                stats.truncated,
                Some(("appendonly.aof.1.incr.aof".into(), keep as u64)),
                "cut {cut}"
            );
        }
        assert_eq!(
            std::fs::read(&incr).unwrap(),
            &data[..keep],
            "file cut at {cut}"
        );
        // Loading again is now clean.
        assert_eq!(load_all(&cfg).unwrap().1.truncated, None);
    }
}

#[test]
fn torn_tail_refused_without_aof_load_truncated() {
    let (data, keep) = three_commands();
    for cut in keep + 1..data.len() {
        let tmp = tempfile::tempdir().unwrap();
        let cfg = Config {
            load_truncated: false,
            ..make_dir(tmp.path(), b"", &[&data[..cut]])
        };
        let e = load_all(&cfg).unwrap_err();
        assert!(
            matches!(e, Error::UnexpectedEof { offset, .. } if offset == keep as u64),
            "{e}"
        );
        assert!(e.to_string().starts_with(
            "Unexpected end of file reading the append only file appendonly.aof.1.incr.aof"
        ));
        // Nothing was changed on disk.
        let incr = cfg.aof_dir().join("appendonly.aof.1.incr.aof");
        assert_eq!(std::fs::read(&incr).unwrap().len(), cut);
    }
}

#[test]
fn truncated_file_that_is_not_last_is_fatal() {
    let (data, _) = three_commands();
    let tmp = tempfile::tempdir().unwrap();
    let cfg = make_dir(
        tmp.path(),
        b"",
        &[&data[..data.len() - 3], &resp(&["SET", "x", "y"])],
    );
    let e = load_all(&cfg).unwrap_err();
    assert_eq!(
        e.to_string(),
        "Fatal error: the truncated file is not the last file (appendonly.aof.1.incr.aof)"
    );
}

#[test]
fn corruption_in_the_middle_names_file_and_offset() {
    let (data, keep) = three_commands();
    // A command header, a bulk header, a CRLF after a payload, a length digit.
    let first_set = resp(&["SELECT", "0"]).len();
    for (at, byte) in [
        (first_set, b'x'),
        (first_set + 4, b'#'),
        (first_set + 11, b'Z'),
        (first_set + 1, b'?'),
    ] {
        let mut bad = data.clone();
        bad[at] = byte;
        let tmp = tempfile::tempdir().unwrap();
        let cfg = make_dir(tmp.path(), b"", &[&bad]);
        let e = load_all(&cfg).unwrap_err();
        match &e {
            Error::BadFormat { file, offset } => {
                assert_eq!(file, "appendonly.aof.1.incr.aof");
                assert_eq!(*offset, at as u64, "{e}");
            }
            other => panic!("corrupting byte {at}: {other}"),
        }
        assert!(e
            .to_string()
            .starts_with("Bad file format reading the append only file appendonly.aof.1.incr.aof"));
        let _ = keep;
    }
}

#[test]
fn incomplete_multi_at_tail_is_discarded() {
    let mut data = resp(&["SELECT", "0"]);
    data.extend(resp(&["SET", "a", "1"]));
    let keep = data.len();
    data.extend(resp(&["MULTI"]));
    data.extend(resp(&["SET", "b", "2"]));
    data.extend(resp(&["INCR", "a"]));
    let tmp = tempfile::tempdir().unwrap();
    let cfg = make_dir(tmp.path(), b"", &[&data]);
    let (got, stats) = load_all(&cfg).unwrap();
    assert_eq!(got, vec![cmd(&["SELECT", "0"]), cmd(&["SET", "a", "1"])]);
    assert_eq!(stats.truncated.unwrap().1, keep as u64);
    // A complete transaction is handed over whole.
    data.truncate(keep);
    for c in [&["MULTI"][..], &["SET", "b", "2"], &["EXEC"]] {
        data.extend(resp(c));
    }
    let tmp = tempfile::tempdir().unwrap();
    let cfg = make_dir(tmp.path(), b"", &[&data]);
    assert_eq!(load_all(&cfg).unwrap().0.len(), 5);
}

#[test]
fn rdb_preamble_is_refused_with_advice() {
    let tmp = tempfile::tempdir().unwrap();
    let cfg = make_dir(tmp.path(), b"REDIS0009\xfa\x09redis-ver", &[]);
    let e = load_all(&cfg).unwrap_err().to_string();
    assert!(e.contains("RDB preamble"), "{e}");
    assert!(e.contains("aof-use-rdb-preamble no"), "{e}");
}

#[test]
fn missing_listed_file() {
    let tmp = tempfile::tempdir().unwrap();
    let cfg = make_dir(tmp.path(), b"", &[b""]);
    std::fs::remove_file(cfg.aof_dir().join("appendonly.aof.1.incr.aof")).unwrap();
    let e = load_all(&cfg).unwrap_err().to_string();
    assert!(e.contains("appendonly.aof.1.incr.aof"), "{e}");
    assert!(e.ends_with("No such file or directory"), "{e}");
}

#[test]
fn manifest_errors_stop_the_load() {
    let tmp = tempfile::tempdir().unwrap();
    let cfg = make_dir(tmp.path(), b"", &[]);
    std::fs::write(
        cfg.aof_dir().join("appendonly.aof.manifest"),
        "file x seq 1 type z\n",
    )
    .unwrap();
    assert_eq!(
        load_all(&cfg).unwrap_err().to_string(),
        "Unknown AOF file type"
    );
}

#[test]
fn unknown_command_in_redis_words() {
    let tmp = tempfile::tempdir().unwrap();
    let cfg = make_dir(tmp.path(), &resp(&["FOO", "x"]), &[]);
    let e = aof::load(&cfg, |_| Err(ExecError::UnknownCommand)).unwrap_err();
    assert_eq!(
        e.to_string(),
        "Unknown command 'FOO' reading the append only file appendonly.aof.1.base.aof"
    );
}
