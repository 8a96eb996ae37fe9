//! The floor: `serde_json` reading a body into typed structs of the same
//! fields. A fold cannot be cheaper than reading its input.

use serde::Deserialize;
use serde_json::Value;

/// `{"operations": [...]}`.
#[derive(Deserialize)]
pub struct Envelope {
    /// The operations.
    pub operations: Vec<Operation>,
}

/// One operation, every documented field typed.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
#[allow(dead_code)]
pub struct Operation {
    operation_id: String,
    operation: String,
    status: String,
    start_time: String,
    end_time: Option<String>,
    card_id: String,
    details: Details,
    error_code: Option<String>,
    error: Option<String>,
    issuer_request_id: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
#[allow(dead_code)]
struct Details {
    tracking_type: String,
    status: Option<String>,
    production_site: Option<Value>,
    shipment: Option<Shipment>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
#[allow(dead_code)]
struct Shipment {
    carrier: Option<String>,
    tracking_number: Option<String>,
    status: Option<String>,
    message: Option<String>,
    tracking_url: Option<String>,
}

/// Parses a body; panics on invalid input (workloads are valid).
pub fn parse(body: &[u8]) -> Envelope {
    serde_json::from_slice(body).expect("workload bodies are valid")
}
