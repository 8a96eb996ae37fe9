//! The module's linear memory, for the package's memory tests.

use wasm_bindgen::prelude::wasm_bindgen;

/// Bytes of linear memory the module holds now (it only grows).
#[wasm_bindgen(js_name = wasmMemoryBytes)]
pub fn wasm_memory_bytes() -> f64 {
    #[cfg(target_arch = "wasm32")]
    {
        // In f64: 65,536 pages of 64 KiB (4 GiB) overflow a wasm32 usize.
        core::arch::wasm32::memory_size(0) as f64 * 65_536.0
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        0.0
    }
}
