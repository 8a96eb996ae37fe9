// ESM entry: the same module as the CommonJS one (one wasm instance).
import cjs from './index.cjs';

export const { Tracker, D1TrackingError, buildTrackCardRequest, buildStatusQuery, wasmMemoryBytes, PRODUCTION_BASE_URL, STAGING_BASE_URL } = cjs;
export default cjs;
