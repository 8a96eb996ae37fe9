//! The exported C functions, driven with arbitrary bytes, lengths and call
//! sequences, including NULLs where the conventions promise to survive them.

use std::ffi::c_char;
use std::ptr::{null, null_mut};

use arbitrary::{Arbitrary, Unstructured};
use c_abi::*;

use crate::SAMPLE_LOG;

#[derive(Arbitrary, Debug)]
enum Call {
    New {
        options: Option<Vec<u8>>,
        null_out: bool,
        seed: bool,
    },
    Free(u8),
    Apply {
        t: u8,
        body: Vec<u8>,
        null_body: bool,
        report: bool,
        ms: u64,
    },
    Read {
        t: u8,
        id: Vec<u8>,
        which: u8,
        tracking: u32,
        null_out: bool,
    },
    Whole {
        t: u8,
        which: u8,
        null_out: bool,
    },
    Record {
        t: u8,
        id: Vec<u8>,
        tracking: u32,
        ms: u64,
    },
    Due {
        t: u8,
        now: u64,
        older: u64,
    },
    Load {
        t: u8,
        bytes: Vec<u8>,
        import: bool,
        null_bytes: bool,
    },
    Merge {
        a: u8,
        b: u8,
    },
    Build {
        bytes: Vec<u8>,
        null_out: bool,
    },
    Static {
        code: u32,
    },
    LastError {
        which: u8,
        null_out: bool,
    },
    TypeParse {
        bytes: Vec<u8>,
    },
}

const KNOWN: [d1t_result; 12] = [
    D1T_OK,
    D1T_ERR_PARSING,
    D1T_ERR_FIELD_MISSING,
    D1T_ERR_FIELD_INVALID_FORMAT,
    D1T_ERR_FIELD_INVALID_VALUE,
    D1T_ERR_PAYLOAD_TOO_LARGE,
    D1T_ERR_LIMIT_EXCEEDED,
    D1T_ERR_SNAPSHOT_INVALID,
    D1T_ERR_NULL_ARGUMENT,
    D1T_ERR_INVALID_ARGUMENT,
    D1T_ERR_NOT_FOUND,
    D1T_OK,
];

fn check(rc: d1t_result) {
    assert_ne!(
        rc, D1T_ERR_INTERNAL,
        "a panic was caught at the boundary: a bug"
    );
    assert!(KNOWN.contains(&rc), "unknown result {rc}");
}

/// An output string: written exactly on success; then freed.
fn string_out(null_out: bool, call: impl FnOnce(*mut *mut c_char) -> d1t_result) {
    let mut out: *mut c_char = null_mut();
    let rc = call(if null_out { null_mut() } else { &mut out });
    check(rc);
    if null_out {
        assert_ne!(rc, D1T_OK, "success without an output slot");
    }
    assert_eq!(
        rc == D1T_OK,
        !out.is_null(),
        "output written iff success (rc {rc})"
    );
    d1t_string_free(out);
}

fn value_out(null_out: bool, call: impl FnOnce(*mut u32) -> d1t_result) {
    let mut out: u32 = u32::MAX;
    let rc = call(if null_out { null_mut() } else { &mut out });
    check(rc);
    assert_eq!(
        rc == D1T_OK,
        out != u32::MAX,
        "output written iff success (rc {rc})"
    );
}

struct Slots([*mut d1t_tracker; 4]);

impl Slots {
    /// A slot's handle (NULL when empty), or NULL for indices past the slots.
    fn get(&self, i: u8) -> *mut d1t_tracker {
        self.0
            .get(usize::from(i) % 5)
            .copied()
            .unwrap_or(null_mut())
    }
}

/// Checks: no call returns an unknown code or a caught panic; outputs are
/// written exactly on success; strings are freed (libFuzzer's leak detection
/// checks that); NULLs and bad arguments are survived.
pub fn c_abi(data: &[u8]) {
    let mut u = Unstructured::new(data);
    let Ok(calls) = Vec::<Call>::arbitrary(&mut u) else {
        return;
    };
    let mut slots = Slots([null_mut(); 4]);
    for call in calls.into_iter().take(48) {
        match call {
            Call::New {
                options,
                null_out,
                seed,
            } => {
                let slot = slots.0.iter().position(|s| s.is_null());
                let mut out: *mut d1t_tracker = null_mut();
                let (ptr, len) = options
                    .as_deref()
                    .map_or((null(), 0), |o| (o.as_ptr(), o.len()));
                let rc = d1t_tracker_new(ptr, len, if null_out { null_mut() } else { &mut out });
                check(rc);
                assert_eq!(rc == D1T_OK, !out.is_null());
                if seed && !out.is_null() {
                    for line in SAMPLE_LOG.lines().filter(|l| !l.contains("\"request\"")) {
                        check(d1t_tracker_apply(
                            out,
                            line.as_ptr(),
                            line.len(),
                            0,
                            null_mut(),
                        ));
                    }
                }
                match slot {
                    Some(i) => slots.0[i] = out,
                    None => d1t_tracker_free(out),
                }
            }
            Call::Free(i) => {
                let i = usize::from(i) % 5;
                if let Some(slot) = slots.0.get_mut(i) {
                    d1t_tracker_free(*slot);
                    *slot = null_mut();
                } else {
                    d1t_tracker_free(null_mut());
                }
            }
            Call::Apply {
                t,
                body,
                null_body,
                report,
                ms,
            } => {
                let ptr = if null_body { null() } else { body.as_ptr() };
                let handle = slots.get(t);
                if report {
                    string_out(false, |out| {
                        d1t_tracker_apply(handle, ptr, body.len(), ms, out)
                    });
                } else {
                    check(d1t_tracker_apply(handle, ptr, body.len(), ms, null_mut()));
                }
            }
            Call::Read {
                t,
                id,
                which,
                tracking,
                null_out,
            } => {
                let h = slots.get(t).cast_const();
                let (p, n) = (id.as_ptr(), id.len());
                match which % 9 {
                    0 => string_out(null_out, |o| d1t_tracker_card_json(h, p, n, o)),
                    1 => string_out(null_out, |o| d1t_tracker_operations_json(h, p, n, o)),
                    2 => string_out(null_out, |o| d1t_tracker_export_card(h, p, n, o)),
                    3 => value_out(null_out, |o| d1t_tracker_card_phase(h, p, n, o)),
                    4 => value_out(null_out, |o| {
                        d1t_tracker_tracking_status(h, p, n, tracking, o)
                    }),
                    5 => value_out(null_out, |o| {
                        d1t_tracker_shipment_phase(h, p, n, tracking, o)
                    }),
                    6 => string_out(null_out, |o| {
                        d1t_tracker_business_status(h, p, n, tracking, o)
                    }),
                    7 => string_out(null_out, |o| d1t_tracker_carrier(h, p, n, tracking, o)),
                    _ => string_out(null_out, |o| {
                        d1t_tracker_tracking_number(h, p, n, tracking, o)
                    }),
                }
            }
            Call::Whole { t, which, null_out } => {
                let h = slots.get(t).cast_const();
                match which % 3 {
                    0 => string_out(null_out, |o| d1t_tracker_cards_json(h, o)),
                    1 => string_out(null_out, |o| d1t_tracker_snapshot(h, o)),
                    _ => {
                        let mut n: usize = usize::MAX;
                        let rc =
                            d1t_tracker_card_count(h, if null_out { null_mut() } else { &mut n });
                        check(rc);
                        assert_eq!(rc == D1T_OK, n != usize::MAX);
                    }
                }
            }
            Call::Record {
                t,
                id,
                tracking,
                ms,
            } => {
                string_out(false, |o| {
                    d1t_tracker_record_request(slots.get(t), id.as_ptr(), id.len(), tracking, ms, o)
                });
            }
            Call::Due { t, now, older } => {
                string_out(false, |o| d1t_tracker_due_json(slots.get(t), now, older, o));
            }
            Call::Load {
                t,
                bytes,
                import,
                null_bytes,
            } => {
                let p = if null_bytes { null() } else { bytes.as_ptr() };
                let h = slots.get(t);
                check(if import {
                    d1t_tracker_import_card(h, p, bytes.len())
                } else {
                    d1t_tracker_restore(h, p, bytes.len())
                });
            }
            Call::Merge { a, b } => check(d1t_tracker_merge(slots.get(a), slots.get(b))),
            Call::Build { bytes, null_out } => {
                string_out(null_out, |o| {
                    d1t_build_track_card_request(bytes.as_ptr(), bytes.len(), o)
                });
                string_out(null_out, |o| {
                    d1t_build_status_query(bytes.as_ptr(), bytes.len(), o)
                });
            }
            Call::Static { code } => {
                for s in [
                    d1t_result_name(code),
                    d1t_result_message(code),
                    d1t_phase_name(code),
                    d1t_version(),
                ] {
                    assert!(!s.is_null());
                }
            }
            Call::LastError { which, null_out } => {
                let rc_ok = |rc: d1t_result| {
                    assert!(rc == D1T_OK || rc == D1T_ERR_NOT_FOUND || rc == D1T_ERR_NULL_ARGUMENT)
                };
                let mut out: *mut c_char = null_mut();
                let slot = if null_out { null_mut() } else { &mut out };
                let rc = match which % 3 {
                    0 => d1t_last_error_json(slot),
                    1 => d1t_last_error_message(slot),
                    _ => d1t_last_error_path(slot),
                };
                rc_ok(rc);
                assert_eq!(rc == D1T_OK, !out.is_null());
                d1t_string_free(out);
            }
            Call::TypeParse { bytes } => value_out(false, |o| {
                d1t_tracking_type_parse(bytes.as_ptr(), bytes.len(), o)
            }),
        }
    }
    for slot in slots.0 {
        d1t_tracker_free(slot);
    }
}
