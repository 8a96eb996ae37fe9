//! The library's version, for programs that check what they linked.

use std::ffi::c_char;

use crate::guard;

/// Major version of the library (the header's `D1T_VERSION_MAJOR`).
pub const D1T_VERSION_MAJOR: u32 = 0;
/// Minor version.
pub const D1T_VERSION_MINOR: u32 = 1;
/// Patch version.
pub const D1T_VERSION_PATCH: u32 = 0;

const VERSION: &str = concat!(env!("CARGO_PKG_VERSION"), "\0");

/// The library's version, `"MAJOR.MINOR.PATCH"`, a static string (never free
/// it). Compare with the header's `D1T_VERSION_*` to detect a mismatched link.
#[no_mangle]
pub extern "C" fn d1t_version() -> *const c_char {
    guard::call_static(|| VERSION.as_ptr().cast())
}

#[cfg(test)]
mod tests {
    #[test]
    fn version_constants_are_cargo_s() {
        let parse = |s: &str| s.parse::<u32>().expect("a number");
        assert_eq!(
            super::D1T_VERSION_MAJOR,
            parse(env!("CARGO_PKG_VERSION_MAJOR"))
        );
        assert_eq!(
            super::D1T_VERSION_MINOR,
            parse(env!("CARGO_PKG_VERSION_MINOR"))
        );
        assert_eq!(
            super::D1T_VERSION_PATCH,
            parse(env!("CARGO_PKG_VERSION_PATCH"))
        );
        assert_eq!(super::VERSION, concat!(env!("CARGO_PKG_VERSION"), "\0"));
    }
}
