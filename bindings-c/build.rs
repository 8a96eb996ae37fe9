//! The shared library's SONAME, so that programs record a versioned
//! `NEEDED` and an ABI-breaking release can sit beside the old one. Cargo's
//! rule that 0.x minor versions are incompatible is followed, as cargo-c
//! does: `libd1_tracking.so.0.MINOR` before 1.0, `libd1_tracking.so.MAJOR`
//! after.

fn main() {
    let major = env!("CARGO_PKG_VERSION_MAJOR");
    let minor = env!("CARGO_PKG_VERSION_MINOR");
    let abi = if major == "0" {
        format!("0.{minor}")
    } else {
        major.to_string()
    };
    if std::env::var("CARGO_CFG_TARGET_OS").as_deref() == Ok("linux") {
        println!("cargo:rustc-cdylib-link-arg=-Wl,-soname,libd1_tracking.so.{abi}");
    }
    println!("cargo:rerun-if-changed=build.rs");
}
