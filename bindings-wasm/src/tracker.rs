//! The tracker handle.

use d1_tracking::{rows_from_json, Config, OwnedRow, Tracker, TrackingType};
use serde::Serialize;
use wasm_bindgen::prelude::{wasm_bindgen, JsValue};

use crate::error::js_result;
use crate::time::millis;

/// A tracker, owned by JavaScript until `free()`.
#[wasm_bindgen]
pub struct WasmTracker {
    inner: Tracker,
}

fn json<T: Serialize + ?Sized>(value: &T) -> String {
    // Views, reports and due lists are plain data: serialising cannot fail.
    serde_json::to_string(value).unwrap_or_default()
}

/// A request record's kind and time, as JavaScript passes them.
fn request_args(tracking_type: &str, at_ms: f64) -> Result<(TrackingType, u64), JsValue> {
    let t = js_result(TrackingType::parse_kind_field(
        tracking_type,
        "trackingType",
    ))?;
    let at = js_result(millis(at_ms, "atMs"))?;
    Ok((t, at))
}

#[wasm_bindgen]
impl WasmTracker {
    /// A tracker with the bounds in `options_json` (camelCase names), or the
    /// defaults.
    #[wasm_bindgen(constructor)]
    pub fn new(options_json: Option<String>) -> Result<WasmTracker, JsValue> {
        let config = match options_json {
            Some(text) => js_result(Config::from_json(text.as_bytes()))?,
            None => Config::default(),
        };
        Ok(WasmTracker {
            inner: Tracker::new(config),
        })
    }

    /// Folds a body given as bytes; returns the report as JSON text.
    #[wasm_bindgen(js_name = applyBytes)]
    pub fn apply_bytes(&mut self, body: &[u8], received_at_ms: f64) -> Result<String, JsValue> {
        let at = js_result(millis(received_at_ms, "receivedAtMs"))?;
        js_result(self.inner.apply(body, at)).map(|r| json(&r))
    }

    /// Folds a body given as text; returns the report as JSON text.
    #[wasm_bindgen(js_name = applyText)]
    pub fn apply_text(&mut self, body: &str, received_at_ms: f64) -> Result<String, JsValue> {
        self.apply_bytes(body.as_bytes(), received_at_ms)
    }

    /// The card's view as JSON text, or `undefined`.
    pub fn card(&self, card_id: &str) -> Option<String> {
        self.inner.card(card_id).map(|v| json(&v))
    }

    /// Why the card shows its phase, as JSON text, or `undefined`.
    pub fn explain(&self, card_id: &str) -> Option<String> {
        self.inner.explain(card_id).map(|e| json(&e))
    }

    /// Every card's view, as a JSON array sorted by card id.
    pub fn cards(&self) -> String {
        json(&self.inner.cards().collect::<Vec<_>>())
    }

    /// Every card id, as a JSON array.
    #[wasm_bindgen(js_name = cardIds)]
    pub fn card_ids(&self) -> String {
        json(&self.inner.card_ids().collect::<Vec<_>>())
    }

    /// Every operation of a card as a JSON array, or `undefined`.
    pub fn operations(&self, card_id: &str) -> Option<String> {
        self.inner.operations(card_id).map(|v| json(&v))
    }

    /// How many cards the tracker holds.
    pub fn size(&self) -> usize {
        self.inner.len()
    }

    /// Records a Track Card request; the changes of the card's view as JSON
    /// text.
    #[wasm_bindgen(js_name = recordRequest)]
    pub fn record_request(
        &mut self,
        card_id: &str,
        tracking_type: &str,
        at_ms: f64,
    ) -> Result<String, JsValue> {
        let (t, at) = request_args(tracking_type, at_ms)?;
        js_result(self.inner.record_request(card_id, t, at)).map(|changes| json(&changes))
    }

    /// The due list as JSON text.
    #[wasm_bindgen(js_name = dueForReconciliation)]
    pub fn due_for_reconciliation(
        &self,
        now_ms: f64,
        older_than_ms: f64,
    ) -> Result<String, JsValue> {
        let now = js_result(millis(now_ms, "nowMs"))?;
        let older = js_result(millis(older_than_ms, "olderThanMs"))?;
        Ok(json(&self.inner.due_for_reconciliation(now, older)))
    }

    /// The snapshot (canonical JSON text).
    pub fn snapshot(&self) -> String {
        self.inner.snapshot()
    }

    /// Replaces the state with a snapshot's.
    pub fn restore(&mut self, snapshot: &[u8]) -> Result<(), JsValue> {
        js_result(self.inner.restore(snapshot))
    }

    /// One card as a snapshot, or `undefined`.
    #[wasm_bindgen(js_name = exportCard)]
    pub fn export_card(&self, card_id: &str) -> Option<String> {
        self.inner.export_card(card_id)
    }

    /// Merges a snapshot in.
    #[wasm_bindgen(js_name = importCard)]
    pub fn import_card(&mut self, snapshot: &[u8]) -> Result<(), JsValue> {
        js_result(self.inner.import_card(snapshot))
    }

    /// Merges another tracker's state in.
    pub fn merge(&mut self, other: &WasmTracker) -> Result<(), JsValue> {
        js_result(self.inner.merge(&other.inner))
    }

    /// The cards a body touches, as a JSON array (sorted, distinct).
    #[wasm_bindgen(js_name = cardsOfBody)]
    pub fn cards_of_body(&self, body: &[u8]) -> Result<String, JsValue> {
        js_result(self.inner.cards_of_body(body)).map(|ids| json(&ids))
    }

    /// Folds a body against rows given as JSON (`[{"cardId", "row"}]`);
    /// the result (`{report, cards}`) as JSON text.
    #[wasm_bindgen(js_name = foldRows)]
    pub fn fold_rows(&self, body: &[u8], rows_json: &str) -> Result<String, JsValue> {
        let rows = js_result(rows_from_json(rows_json.as_bytes()))?;
        let rows: Vec<_> = rows.iter().map(OwnedRow::as_row).collect();
        js_result(self.inner.fold_rows(body, &rows)).map(|r| json(&r))
    }

    /// Records a request against a card's row (`undefined`: none yet); the
    /// update (`{cardId, row, view, changes}`) as JSON text.
    #[wasm_bindgen(js_name = recordRequestOnRow)]
    pub fn record_request_on_row(
        &self,
        card_id: &str,
        row: Option<String>,
        tracking_type: &str,
        at_ms: f64,
    ) -> Result<String, JsValue> {
        let (t, at) = request_args(tracking_type, at_ms)?;
        let row = d1_tracking::Row::new(card_id, row.as_deref().map(str::as_bytes));
        js_result(self.inner.record_request_on_row(row, t, at)).map(|u| json(&u))
    }

    /// Drops a card; its row, or `undefined`.
    pub fn evict(&mut self, card_id: &str) -> Option<String> {
        self.inner.evict(card_id)
    }

    /// Drops every card.
    pub fn clear(&mut self) {
        self.inner.clear();
    }

    /// One piece of the snapshot: the next piece's cursor on the first line
    /// (empty when this piece ends the snapshot), then the text.
    #[wasm_bindgen(js_name = snapshotChunk)]
    pub fn snapshot_chunk(&self, after: Option<String>, cards: u32) -> String {
        let (text, next) = self
            .inner
            .snapshot_chunk(after.as_deref(), usize::try_from(cards).unwrap_or(1));
        // Card ids hold no line break, so the first line is the cursor.
        let mut out = next.unwrap_or_default();
        out.push('\n');
        out.push_str(&text);
        out
    }

    /// Up to `limit` card views after `after`, as a JSON array.
    #[wasm_bindgen(js_name = cardsPage)]
    pub fn cards_page(&self, after: Option<String>, limit: u32) -> String {
        json(&self.inner.cards_page(
            after.as_deref(),
            usize::try_from(limit).unwrap_or(usize::MAX),
        ))
    }

    /// The bytes the state keeps (what `maxStateBytes` bounds).
    #[wasm_bindgen(js_name = stateBytes)]
    pub fn state_bytes(&self) -> f64 {
        self.inner.state_bytes() as f64
    }
}
