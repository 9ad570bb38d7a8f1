//! Compiles the C `long double` helpers used by INCRBYFLOAT / HINCRBYFLOAT (see `src/float.rs`).

fn main() {
    println!("cargo:rerun-if-changed=csrc/longdouble.c");
    cc::Build::new()
        .file("csrc/longdouble.c")
        .warnings(true)
        .compile("store_longdouble");
}
