//! Differential tests: every `tests/diff/<family>/<name>.txt` script runs against the real
//! redis-server and ours, replies compared byte for byte. Format: /work/notes/DIFF_HARNESS.md
//! (also summarised in `crate::harness::script`). Scripts in `diff/pending/` are not run.

/// `diff_scripts!(family: a, b, c);` makes one `#[test]` per script `<family>/<name>.txt`
/// and a `SCRIPTS` list for the completeness check.
macro_rules! diff_scripts {
    ($family:ident: $($name:ident),* $(,)?) => {
        /// The scripts of this family that are run.
        pub const SCRIPTS: &[&str] = &[$(stringify!($name)),*];
        $(
            #[test]
            fn $name() {
                crate::harness::diff::run_file(stringify!($family), stringify!($name));
            }
        )*
    };
}

macro_rules! families {
    ($($family:ident),* $(,)?) => {
        $(mod $family;)*
        /// Every family and its listed scripts.
        const FAMILIES: &[(&str, &[&str])] = &[$((stringify!($family), $family::SCRIPTS)),*];
    };
}

families!(
    connection,
    transactions,
    protocol,
    resp3,
    server,
    strings,
    hashes,
    keys,
    expire
);

/// Every script file on disk is listed in its family's `mod.rs` (and every listed one exists).
#[test]
fn all_scripts_are_listed() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/diff");
    let mut problems = Vec::new();
    for entry in std::fs::read_dir(&root).expect("tests/diff").flatten() {
        let dir = entry.path();
        let Some(family) = dir.file_name().and_then(|n| n.to_str()).map(str::to_owned) else {
            continue;
        };
        if !dir.is_dir() || family == "pending" {
            continue;
        }
        let Some((_, listed)) = FAMILIES.iter().find(|(f, _)| *f == family) else {
            problems.push(format!(
                "family dir diff/{family}/ is not in families!(...) of diff/mod.rs"
            ));
            continue;
        };
        for f in std::fs::read_dir(&dir).expect("family dir").flatten() {
            let p = f.path();
            if p.extension().and_then(|e| e.to_str()) != Some("txt") {
                continue;
            }
            let name = p
                .file_stem()
                .and_then(|n| n.to_str())
                .unwrap_or_default()
                .to_owned();
            if !listed.contains(&name.as_str()) {
                problems.push(format!(
                    "diff/{family}/{name}.txt is not listed in diff/{family}/mod.rs"
                ));
            }
        }
        for name in listed.iter() {
            if !dir.join(format!("{name}.txt")).is_file() {
                problems.push(format!(
                    "diff/{family}/mod.rs lists {name} but {name}.txt is missing"
                ));
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// Every script parses (including pending ones), so a typo shows up without any server.
#[test]
fn all_scripts_parse() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/diff");
    let mut problems = Vec::new();
    for entry in std::fs::read_dir(&root).expect("tests/diff").flatten() {
        if !entry.path().is_dir() {
            continue;
        }
        for f in std::fs::read_dir(entry.path())
            .expect("family dir")
            .flatten()
        {
            let p = f.path();
            if p.extension().and_then(|e| e.to_str()) == Some("txt") {
                let text = std::fs::read_to_string(&p).unwrap_or_default();
                if let Err(e) = crate::harness::script::parse(&text) {
                    problems.push(format!("{}: {e}", p.display()));
                }
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
