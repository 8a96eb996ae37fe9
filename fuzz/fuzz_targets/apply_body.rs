#![no_main]
// What is checked lives in fuzz/checks (shared with the replay of kept crash inputs).
libfuzzer_sys::fuzz_target!(|data: &[u8]| checks::apply_body(data));
