//! Building the Track Card call and the status query.

use std::ffi::c_char;

use core_api::{StatusQuery, TrackCardRequest};

use crate::guard;
use crate::ptr::{bytes, write_string, OutString};
use crate::result::d1t_result;
use crate::tracker::canonical_json;

/// Builds a Track Card call from a JSON request object
/// (`{"issuerId","cardId","trackingType","correlationId"?,"extraFields"?,"pathTemplate"?}`)
/// into `*out`, canonical JSON `{"body":"…","headers":[["name","value"],…],"method":"POST","path":"…"}`
/// (free it with `d1t_string_free`). The host adds `Authorization: Bearer …`.
#[no_mangle]
pub extern "C" fn d1t_build_track_card_request(
    request_json: *const u8,
    request_len: usize,
    out: *mut *mut c_char,
) -> d1t_result {
    guard::call(|| {
        let input = bytes(request_json, request_len, "request_json")?;
        let out = OutString::new(out, "out")?;
        let request = TrackCardRequest::from_json(input)?;
        write_string(out, canonical_json(&request.build())?)
    })
}

/// Builds the on-demand status query from a JSON query object
/// (`{"issuerId","cardId","correlationId"?,"pathTemplate"?}`) into `*out`,
/// canonical JSON `{"body":"","headers":[…],"method":"GET","path":"…"}`
/// (free it with `d1t_string_free`). Fold D1's answer with
/// `d1t_tracker_apply`; the host adds `Authorization: Bearer …`.
#[no_mangle]
pub extern "C" fn d1t_build_status_query(
    query_json: *const u8,
    query_len: usize,
    out: *mut *mut c_char,
) -> d1t_result {
    guard::call(|| {
        let input = bytes(query_json, query_len, "query_json")?;
        let out = OutString::new(out, "out")?;
        let query = StatusQuery::from_json(input)?;
        write_string(out, canonical_json(&query.build())?)
    })
}
