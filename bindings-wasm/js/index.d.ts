// Type declarations of the npm package d1-tracking. Every object that crosses
// the boundary is typed here; nothing is `any`. (index.d.mts, for `import`, is
// a copy written by build.sh.)
/// <reference lib="esnext.disposable" />

/** Any JSON value (unknown fields D1 may add are kept as such). */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/** D1's tracking types: what a Track Card request asks for. */
export type TrackingType = 'PRODUCTION' | 'SHIPMENT' | 'RETURN';
/**
 * The kind of an operation, and so of an entry of the card view: a tracking type, the card
 * order (`PRODUCE`), or `UNTYPED` (no notification of the operation names its tracking type).
 */
export type Kind = TrackingType | 'PRODUCE' | 'UNTYPED';
/** What an alert is about. */
export type AlertCode =
  | 'OPERATION_FAILED' | 'CONFLICT' | 'UNTYPED_OPERATION' | 'UNKNOWN_CARRIER_STATUS' | 'AMBIGUOUS_ORDER';
export type OperationStatus = 'PENDING' | 'SUCCESSFUL' | 'FAILED';
export type ShipmentPhase =
  | 'UNKNOWN' | 'PENDING' | 'INFO_RECEIVED' | 'IN_TRANSIT' | 'EXCEPTION' | 'ATTEMPT_FAIL'
  | 'EXPIRED' | 'OUT_FOR_DELIVERY' | 'AVAILABLE_FOR_PICKUP' | 'DELIVERED' | 'RETURN_TO_SENDER';
export type Phase =
  | 'TRACKING_REQUESTED' | 'TRACKING' | 'IN_PRODUCTION' | 'PRODUCED' | 'SHIPPED' | 'IN_TRANSIT'
  | 'OUT_FOR_DELIVERY' | 'AVAILABLE_FOR_PICKUP' | 'DELIVERY_EXCEPTION' | 'DELIVERED' | 'CANCELED'
  | 'FAILED' | 'RETURNED' | 'PRODUCTION_EXCEPTION' | 'RETURNING';
export type Outcome = 'applied' | 'recorded' | 'duplicate' | 'ignored' | 'rejected';

/** The core's error codes, then this package's own. */
export type ErrorCode =
  | 'PARSING_ERROR' | 'FIELD_MISSING' | 'FIELD_INVALID_FORMAT' | 'FIELD_INVALID_VALUE'
  | 'PAYLOAD_TOO_LARGE' | 'LIMIT_EXCEEDED' | 'SNAPSHOT_INVALID'
  | 'INVALID_ARGUMENT' | 'TRACKER_FREED'
  /** The WebAssembly module trapped (out of memory, a bug) in a call on this tracker: its state is lost. */
  | 'WASM_TRAP';

/** Every error the package throws: `instanceof D1TrackingError`, with a stable `code`. */
export declare class D1TrackingError extends Error {
  name: 'D1TrackingError';
  code: ErrorCode;
  /** The JSON path of the field at fault (`operations[2].cardId`), or the parameter; null when none. */
  path: string | null;
  /** The core's stable number for the code (absent for the package's own codes). */
  number?: number;
}

/** The error object inside reports: `{code, path, message}`. */
export interface ErrorInfo {
  code: ErrorCode;
  path: string | null;
  message: string;
}

export interface TrackerOptions {
  /** Largest body `apply` reads, in bytes. Default 1 MiB. */
  maxBodyBytes?: number;
  /** Most operations in one body. Default 1,000. */
  maxOperationsPerBody?: number;
  /** Longest string or key inside an operation, in bytes. Default 2,048. */
  maxStringBytes?: number;
  /** Largest canonical form of one operation, in bytes. Default 16 KiB. */
  maxOperationBytes?: number;
  /** Deepest nesting inside one operation. Default 16. */
  maxDepth?: number;
  /** Notifications kept verbatim per operation (plus those defining the view). Default 32. */
  maxNotificationsPerOperation?: number;
  /** Most operations per card. Default 64. */
  maxOperationsPerCard?: number;
  /** Most cards per tracker. Default 10,000,000. */
  maxCards?: number;
  /** Most bytes the whole state keeps (see `Tracker.stateBytes`). Default 1 GiB. */
  maxStateBytes?: number;
}

export interface ShipmentView {
  carrier: string | null;
  trackingNumber: string | null;
  status: string | null;
  phase: ShipmentPhase;
  message: string | null;
  trackingUrl: string | null;
  /** Shipment fields this version does not know, as given (absent when none). */
  extra?: { [key: string]: JsonValue };
}

export interface TrackingView {
  operationId: string;
  status: OperationStatus;
  detailsStatus: string | null;
  productionSite: JsonValue;
  shipment: ShipmentView | null;
  startTime: string;
  endTime: string | null;
  errorCode: string | null;
  error: string | null;
  /** The issuer's correlation id (top level, or in `details` for PRODUCE). */
  issuerRequestId: string | null;
  /** `details.reason`: why a data or production exception happened. */
  reason: string | null;
  /** `details.dueDate`: the estimated shipment date, as given. */
  dueDate: string | null;
  /** `inputFileName` (top level, or in `details`): the issuer's input file. */
  inputFileName: string | null;
  /** Members of `details` this version does not know, as given (absent when none). */
  extra?: { [key: string]: JsonValue };
  notifications: number;
  conflict: boolean;
}

/** Something a person should look at, without it hiding the card's phase. */
export interface Alert {
  trackingType: Kind;
  code: AlertCode;
  operationId: string;
  /** D1's errorCode, for OPERATION_FAILED. */
  errorCode: string | null;
  /** D1's error, for OPERATION_FAILED. */
  error: string | null;
}

/** A kept notification, named by its operation and its position in `explain`'s list. */
export interface NotificationRef {
  trackingType: Kind;
  operationId: string;
  position: number;
}
export type DecidingStep = 'TERMINAL_FACT' | 'CARRIER_EVENT' | 'BUSINESS_STEP' | 'NO_FACT';
export type FactKind = 'CARRIER_EVENT' | 'BUSINESS_STEP' | 'TERMINAL';
export type TerminalSourceWord = 'CARD_RETURNED' | 'RETURN_SUCCESSFUL' | 'CARD_PROD_CANCELED' | 'CARRIER_RETURN';
/** A fact a notification yields, with the phase it gives. */
export interface Fact {
  kind: FactKind;
  phase: Phase;
  /** A carrier event's stage. */
  stage: ShipmentPhase | null;
  /** What it says, in D1's or the carrier's word. */
  word: string;
}
export interface NotificationExplained {
  position: number;
  status: OperationStatus;
  startTime: string;
  endTime: string | null;
  detailsStatus: string | null;
  carrierStatus: string | null;
  message: string | null;
  facts: Fact[];
}
export interface OperationExplained {
  trackingType: Kind;
  operationId: string;
  /** True when the card view shows it. */
  current: boolean;
  startTime: string;
  status: OperationStatus;
  /** The tracking numbers that name its parcel. */
  parcel: string[];
  /** Every kept notification, in display order (instant, carrier order, lifecycle rank, content). */
  notifications: NotificationExplained[];
}
export interface TerminalExplained {
  phase: Phase;
  source: TerminalSourceWord;
  notification: NotificationRef;
  /** False when no endTime dated it (the card raises AMBIGUOUS_ORDER). */
  dated: boolean;
  instant: string;
  cut: string;
}
export interface CycleExplained {
  index: number;
  /** Where it ends (RFC 3339, UTC); null for the open cycle. */
  endsAt: string | null;
  closedBy: TerminalExplained[];
  operations: OperationExplained[];
}
export interface Deciding {
  step: DecidingStep;
  /** The step in plain words. */
  rule: string;
  cycle: number | null;
  notification: NotificationRef | null;
  fact: Fact | null;
}
export interface AlertExplained extends Alert {
  /** The notifications that raised it. */
  notifications: NotificationRef[];
}
/** Why a card shows its phase (Tracker.explain). */
export interface Explanation {
  cardId: string;
  phase: Phase;
  decided: Deciding;
  cycles: CycleExplained[];
  alerts: AlertExplained[];
}

export interface CardView {
  cardId: string;
  /** The current operation of each kind seen. */
  trackings: Partial<Record<Kind, TrackingView>>;
  /** The most recent physical fact (README, "Phase"). */
  phase: Phase;
  /** Sorted by kind, then code; empty when nothing is wrong. */
  alerts: Alert[];
}

export interface OperationView extends TrackingView {
  trackingType: Kind;
  current: boolean;
}

export interface Change {
  /** null for the card's `phase`. */
  trackingType: Kind | null;
  field: string;
  old: JsonValue;
  new: JsonValue;
}

export interface OperationReport {
  index: number;
  outcome: Outcome;
  operation: string | null;
  cardId: string | null;
  operationId: string | null;
  /** The notification's kind (`UNTYPED` when it names no tracking type). */
  trackingType: Kind | null;
  changes: Change[];
  error: ErrorInfo | null;
  /** For `rejected`: the operation's text as received, for the host's dead letters. */
  raw: string | null;
  /** For `rejected`: true when this tracker's capacity refused it (answer D1 with a 5xx). */
  retry: boolean;
}

export interface ApplyReport {
  operations: OperationReport[];
}

export interface DueTracking {
  cardId: string;
  /** A tracking type, or PRODUCE. */
  trackingType: Exclude<Kind, 'UNTYPED'>;
  reason: 'AWAITING_NOTIFICATION' | 'STALE';
  sinceMs: number;
  operationId: string | null;
}

export interface TrackCardRequestInput {
  /** Exactly 10 characters of [A-Za-z0-9_-]. */
  issuerId: string;
  /** ^[A-Za-z0-9_-]{1,48}$ */
  cardId: string;
  trackingType: TrackingType;
  /** Optional x-correlation-id header, ^[A-Za-z0-9_-]{1,64}$ (never personal data). */
  correlationId?: string;
  /** Body fields passed through unchanged (never `trackingType`). */
  extraFields?: { [key: string]: JsonValue };
  /** Path template; default `/issuers/{issuerId}/physicalCards/{cardId}/operations:tracking` (an assumption: check it with D1). */
  pathTemplate?: string;
}

export interface HttpRequest {
  method: 'POST' | 'GET';
  /** Relative to PRODUCTION_BASE_URL or STAGING_BASE_URL. */
  path: string;
  /** [name, value] pairs; add your own `authorization: Bearer <JWT>`. */
  headers: [string, string][];
  /** The JSON body text. */
  body: string;
}

/** A webhook body: the raw bytes as received, or text. */
export type Body = string | Uint8Array | ArrayBuffer;

/** A card's row as the host loaded it: its export, or null for a card with no row yet. */
export interface RowInput {
  cardId: string;
  row: string | Uint8Array | null;
}

/** A card whose state changed: what the host writes back, with its outbox. */
export interface CardUpdate {
  cardId: string;
  /** The new row (the card's export). */
  row: string;
  view: CardView;
  /** Every change of the card's view, in order. */
  changes: Change[];
}

/** A card of the body whose row the fold could not use (unreadable, another card's, over the bounds). */
export interface CardFailure {
  cardId: string;
  /** SNAPSHOT_INVALID or LIMIT_EXCEEDED at rows[i]. */
  error: ErrorInfo;
}

export interface RowsFold {
  /** The report; the operations of a failed card are rejected with its error, their raw text, retry false. */
  report: ApplyReport;
  /** The cards whose state changed, sorted by card id. */
  cards: CardUpdate[];
  /** The cards the fold could not touch (their rows stay as they are; park their operations). */
  failed: CardFailure[];
}

export declare class Tracker {
  constructor(options?: TrackerOptions);
  /** Folds one body `{"operations":[...]}`; throws when the body is rejected whole. */
  apply(body: Body, receivedAtMs?: number): ApplyReport;
  card(cardId: string): CardView | undefined;
  /** Why the card shows its phase: cycles, notifications and their facts, the deciding fact. */
  explain(cardId: string): Explanation | undefined;
  cards(): CardView[];
  cardIds(): string[];
  operations(cardId: string): OperationView[] | undefined;
  readonly size: number;
  /** Records a Track Card request; the changes of the card's view (its phase, for a new card). */
  recordRequest(cardId: string, trackingType: Exclude<Kind, 'UNTYPED'>, atMs: number): Change[];
  dueForReconciliation(nowMs: number, olderThanMs: number): DueTracking[];
  /** Up to `limit` card views after card `after` (from the first when omitted), sorted by card id. */
  cardsPage(after: string | undefined | null, limit: number): CardView[];
  /** The bytes the state keeps (what `maxStateBytes` bounds). */
  readonly stateBytes: number;
  /** The cards a body touches (sorted, distinct): the rows to load; throws as `apply` would. */
  cardsOfBody(body: Body): string[];
  /** Folds a body against the rows of its cards; this tracker is not changed. */
  foldRows(body: Body, rows: RowInput[]): RowsFold;
  /** Records a Track Card request against a card's row; this tracker is not changed. */
  recordRequestOnRow(row: RowInput, trackingType: Exclude<Kind, 'UNTYPED'>, atMs: number): CardUpdate;
  /** Drops a card; its row, or undefined. */
  evict(cardId: string): string | undefined;
  /** Drops every card. */
  clear(): void;
  /** The snapshot, built from pieces (the module's memory stays small). */
  snapshot(): string;
  /** The snapshot as pieces of at most `cardsPerChunk` cards (default 1,000); they concatenate to `snapshot()`. */
  snapshotChunks(cardsPerChunk?: number): Generator<string, void, undefined>;
  restore(snapshot: Body): void;
  /** Restores from pieces, as `snapshotChunks` gives them. */
  restoreChunks(chunks: Iterable<Body>): void;
  exportCard(cardId: string): string | undefined;
  importCard(snapshot: Body): void;
  merge(other: Tracker): void;
  /** Releases the wasm memory now; the tracker cannot be used afterwards. */
  free(): void;
  readonly freed: boolean;
  [Symbol.dispose](): void;
}

export declare function buildTrackCardRequest(request: TrackCardRequestInput): HttpRequest;
export interface StatusQueryInput {
  /** Exactly 10 characters of [A-Za-z0-9_-]. */
  issuerId: string;
  /** ^[A-Za-z0-9_-]{1,48}$ */
  cardId: string;
  /** Optional x-correlation-id header, ^[A-Za-z0-9_-]{1,64}$. */
  correlationId?: string;
  /** Path template; default `/issuers/{issuerId}/physicalCards/{cardId}/productionStatus` (an assumption: check it with D1). */
  pathTemplate?: string;
}
/** The on-demand status query (GET, no body); fold D1's answer with `Tracker.apply`. */
export declare function buildStatusQuery(query: StatusQueryInput): HttpRequest;
/** Bytes of linear memory held by the module instance new trackers are made in. */
export declare function wasmMemoryBytes(): number;
export declare const PRODUCTION_BASE_URL: 'https://api.d1.thalescloud.io/banking/v1';
export declare const STAGING_BASE_URL: 'https://api.d1-stg.thalescloud.io/banking/v1';
