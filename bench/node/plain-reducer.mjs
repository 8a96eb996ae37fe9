// The peer of the npm package: the same fold, v3 (README, "What the fold
// guarantees", "The shipment", "Phase", and docs/decisions.md): content
// duplicates; field-wise joins per operation, the shipment view's members
// each a join of its own in the carrier order; the current operation per
// kind; the phase of the card's latest cycle (terminal facts, cuts, carrier
// events over business floors, RETURNING); alerts. PRODUCE is folded as a
// kind; notifications without a tracking type are out of its scope (the
// workloads hold none). Written in plain JavaScript as a good Node engineer
// would: JSON.parse, Maps, incremental joins per notification, no needless
// copies; the card-level phase is derived from the per-operation joins when
// a view is read. Its views must equal the package's (bench.mjs checks that
// on every run).

const OP_RANK = { PENDING: 1, SUCCESSFUL: 2, FAILED: 3 };
// Business statuses in lifecycle order (2.3); ranks 1-8 are steps, 9 and 10 terminal.
const BIZ_RANK = {
  CARD_PROD_REQUESTED: 1, DATA_EXCEPTION: 2, DATA_PREPARED: 3, CARD_PROD_READY: 4, CARD_PROD_ONGOING: 5,
  CARD_PROD_EXCEPTION: 6, CARD_PROD_DONE: 7, CARD_SHIPPED: 8, CARD_RETURNED: 9, CARD_PROD_CANCELED: 10,
};
const STEP_PHASE = [null, 'IN_PRODUCTION', 'PRODUCTION_EXCEPTION', 'IN_PRODUCTION', 'IN_PRODUCTION', 'IN_PRODUCTION',
  'PRODUCTION_EXCEPTION', 'PRODUCED', 'SHIPPED'];
const PRODUCED = 7;
const SHIPPED = 8;

// Carrier stages (1.3, 2.3): normalised word -> [shipment-view phase, stage rank].
const PENDING = ['PENDING', 1];
const INFO_RECEIVED = ['INFO_RECEIVED', 2];
const IN_TRANSIT = ['IN_TRANSIT', 3];
const EXCEPTION = ['EXCEPTION', 4];
const ATTEMPT_FAIL = ['ATTEMPT_FAIL', 4];
const EXPIRED = ['EXPIRED', 4];
const OUT_FOR_DELIVERY = ['OUT_FOR_DELIVERY', 5];
const AVAILABLE_FOR_PICKUP = ['AVAILABLE_FOR_PICKUP', 6];
const DELIVERED = ['DELIVERED', 7];
const RETURN_TO_SENDER = ['RETURN_TO_SENDER', 8];
const UNKNOWN = ['UNKNOWN', 0];
// AfterShip's tags: a subtag (the tag followed by digits, `Delivered_001`) is its tag.
const TAGS = {
  pending: PENDING, inforeceived: INFO_RECEIVED, intransit: IN_TRANSIT, exception: EXCEPTION,
  attemptfail: ATTEMPT_FAIL, expired: EXPIRED, outfordelivery: OUT_FOR_DELIVERY,
  availableforpickup: AVAILABLE_FOR_PICKUP, delivered: DELIVERED, returntosender: RETURN_TO_SENDER,
};
// The other vocabularies (EasyPost, Shippo, the usual spellings of failed attempts and returns).
const WORDS = {
  ...TAGS,
  pretransit: INFO_RECEIVED, transit: IN_TRANSIT,
  returned: RETURN_TO_SENDER, returnedtosender: RETURN_TO_SENDER, returntoshipper: RETURN_TO_SENDER,
  // AfterShip's subtags that say more than their tag: returning to, returned to sender.
  exception010: RETURN_TO_SENDER, exception011: RETURN_TO_SENDER,
  failure: EXCEPTION, cancelled: EXCEPTION, error: EXCEPTION,
  failedattempt: ATTEMPT_FAIL, deliveryfailure: ATTEMPT_FAIL, deliveryattempted: ATTEMPT_FAIL, attemptfailed: ATTEMPT_FAIL,
};
const CARD_PHASE = [null, 'SHIPPED', 'SHIPPED', 'IN_TRANSIT', 'DELIVERY_EXCEPTION', 'OUT_FOR_DELIVERY',
  'AVAILABLE_FOR_PICKUP', 'DELIVERED', 'RETURNING'];
const STAGE_DELIVERED = 7;
const STAGE_RETURN = 8;

const TRACKED = ['PRODUCTION', 'SHIPMENT', 'RETURN'];
const TYPES = [...TRACKED, 'PRODUCE'];
const TYPE_ORDER = { PRODUCTION: 0, SHIPMENT: 1, RETURN: 2, PRODUCE: 3, UNTYPED: 4 };
const CODE_ORDER = { OPERATION_FAILED: 0, CONFLICT: 1, UNTYPED_OPERATION: 2, UNKNOWN_CARRIER_STATUS: 3, AMBIGUOUS_ORDER: 4 };
const KNOWN_DETAILS = new Set(['dueDate', 'inputFileName', 'issuerRequestId', 'productionSite', 'reason', 'shipment', 'status', 'trackingType']);
const KNOWN_SHIPMENT = new Set(['carrier', 'trackingNumber', 'status', 'message', 'trackingUrl']);
const ID = /^[A-Za-z0-9_-]{1,64}$/;
const CARD = /^[A-Za-z0-9_-]{1,48}$/;
const TS = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}(:?\d{2})?)?$/;

/** The stage of a carrier status text (null when absent). */
function stageOf(status) {
  if (status === null) return UNKNOWN;
  const w = status.replace(/[ _-]/g, '').toLowerCase();
  const hit = WORDS[w];
  if (hit !== undefined) return hit;
  const sub = /^([a-z]+)\d+$/.exec(w);
  return (sub && TAGS[sub[1]]) || UNKNOWN;
}

// ---- Numbers where codes are expected ----------------------------------------------------

/** A JSON number kept as the literal sent (only built when a code position holds a number). */
class JsonNumber {
  constructor(text) { this.text = text; }
}
const INTEGER = /^-?\d+$/;

/**
 * A code-like value: its text, null when absent (null or empty), undefined when it is no code
 * (a boolean, an object, an array, a non-integer number).
 */
function code(v) {
  if (v === undefined || v === null || v === '') return null;
  if (typeof v === 'string') return v;
  if (v instanceof JsonNumber && INTEGER.test(v.text)) return v.text;
  return undefined;
}

const isNum = (v) => typeof v === 'number';
/** Whether an operation holds a JSON number in a code position (the rare case). */
function numberInCode(op) {
  if (op === null || typeof op !== 'object') return false;
  if (isNum(op.errorCode) || isNum(op.issuerRequestId)) return true;
  const d = op.details;
  if (d === null || typeof d !== 'object') return false;
  if (isNum(d.status) || isNum(d.issuerRequestId)) return true;
  const s = d.shipment;
  return s !== null && typeof s === 'object' && (isNum(s.trackingNumber) || isNum(s.status) || isNum(s.carrier));
}

/** JSON.parse for a body known to be valid JSON, with every number a JsonNumber. */
function parseExact(text) {
  let i = 0;
  const ws = () => { while (i < text.length && (text[i] === ' ' || text[i] === '\n' || text[i] === '\r' || text[i] === '\t')) i++; };
  const str = () => {
    const from = i++;
    let escaped = false;
    while (text[i] !== '"' || escaped) { escaped = !escaped && text[i] === '\\'; i++; }
    i++;
    return JSON.parse(text.slice(from, i));
  };
  const value = () => {
    ws();
    const c = text[i];
    if (c === '{') {
      i++;
      const o = {};
      ws();
      if (text[i] === '}') { i++; return o; }
      for (;;) {
        ws();
        const k = str();
        ws();
        i++; // ':'
        Object.defineProperty(o, k, { value: value(), enumerable: true, writable: true, configurable: true });
        ws();
        if (text[i++] === '}') return o;
      }
    }
    if (c === '[') {
      i++;
      const a = [];
      ws();
      if (text[i] === ']') { i++; return a; }
      for (;;) {
        a.push(value());
        ws();
        if (text[i++] === ']') return a;
      }
    }
    if (c === '"') return str();
    if (text.startsWith('true', i)) { i += 4; return true; }
    if (text.startsWith('false', i)) { i += 5; return false; }
    if (text.startsWith('null', i)) { i += 4; return null; }
    const m = /-?\d+(\.\d+)?([eE][+-]?\d+)?/y;
    m.lastIndex = i;
    const lit = m.exec(text)[0];
    i += lit.length;
    return new JsonNumber(lit);
  };
  return value();
}

/** Every JsonNumber of `v` back to a number, except those in the code positions of operation `op`. */
function restoreNumbers(op) {
  const deep = (v) => {
    if (v instanceof JsonNumber) return Number(v.text);
    if (Array.isArray(v)) { for (let i = 0; i < v.length; i++) v[i] = deep(v[i]); return v; }
    if (v !== null && typeof v === 'object') { for (const k of Object.keys(v)) v[k] = deep(v[k]); }
    return v;
  };
  if (op === null || typeof op !== 'object' || Array.isArray(op)) return deep(op);
  const d = op.details !== null && typeof op.details === 'object' && !Array.isArray(op.details) ? op.details : null;
  const s = d && d.shipment !== null && typeof d.shipment === 'object' && !Array.isArray(d.shipment) ? d.shipment : null;
  const keep = [[op, 'errorCode'], [op, 'issuerRequestId'], [d, 'status'], [d, 'issuerRequestId'],
    [s, 'trackingNumber'], [s, 'status'], [s, 'carrier']]
    .filter(([o, k]) => o !== null && o[k] instanceof JsonNumber).map(([o, k]) => [o, k, o[k]]);
  deep(op);
  for (const [o, k, v] of keep) o[k] = v;
  return op;
}

// ---- Order helpers -----------------------------------------------------------------------

const HIGH = /[\ud800-\uffff]/;
/** Strings compared as their UTF-8 bytes (code point order). */
function byteCmp(a, b) {
  if (a === b) return 0;
  if (!HIGH.test(a) || !HIGH.test(b)) return a < b ? -1 : 1;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    let x = a.charCodeAt(i);
    let y = b.charCodeAt(i);
    if (x === y) continue;
    if (x >= 0xd800 && y >= 0xd800) {
      x = x < 0xe000 ? x + 0x2000 : x - 0x800;
      y = y < 0xe000 ? y + 0x2000 : y - 0x800;
    }
    return x < y ? -1 : 1;
  }
  return a.length - b.length;
}

export function canonical(v) {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (v instanceof JsonNumber) return v.text;
  if (v !== null && typeof v === 'object') {
    return `{${Object.keys(v).sort().map((k) => `${JSON.stringify(k)}:${canonical(v[k])}`).join(',')}}`;
  }
  return JSON.stringify(v);
}

/** Instant then text, so spellings of one instant still order totally. */
const tsCmp = (a, b) => a.ms - b.ms || (a.text < b.text ? -1 : a.text > b.text ? 1 : 0);
const ts = (text) => ({ text, ms: Date.parse(text) });

/** The canonical content with `cardId` and `operationId` blanked: the carrier order's content. */
function contentOf(n) {
  if (n.content === null) n.content = canonical({ ...n.op, cardId: '', operationId: '' });
  return n.content;
}

/** v2's key of one operation's notifications, for the fields other than the shipment's. */
function keyCmp(a, b) {
  return (
    a.rank - b.rank ||
    (a.end === null ? (b.end === null ? 0 : -1) : b.end === null ? 1 : a.end.ms - b.end.ms) ||
    a.stage - b.stage ||
    a.bizRank - b.bizRank ||
    byteCmp(a.canon, b.canon)
  );
}

/** The carrier order (within a parcel): final first, then instant, stage, content, operationId. */
function carrierCmp(a, b) {
  return (a.stage >= STAGE_DELIVERED) - (b.stage >= STAGE_DELIVERED) || a.inst - b.inst || a.stage - b.stage ||
    byteCmp(contentOf(a), contentOf(b)) || byteCmp(a.op.operationId, b.op.operationId);
}

/** The order of a shipment member's carriers: instant, no carrier status above one, carrier order. */
function memberCmp(a, b) {
  return a.inst - b.inst || (a.shStatus === null) - (b.shStatus === null) || carrierCmp(a, b);
}

/** Between parcels: the parcel's greatest start, then its greatest event's instant, stage, content. */
function parcelCmp(a, b) {
  const e = a.event;
  const f = b.event;
  return a.start - b.start || e.inst - f.inst || e.stage - f.stage || byteCmp(contentOf(e), contentOf(f)) ||
    byteCmp(e.op.operationId, f.op.operationId);
}

// ---- One operation -----------------------------------------------------------------------

function validate(op) {
  if (op === null || typeof op !== 'object' || Array.isArray(op)) return 'operation';
  if (typeof op.operationId !== 'string' || !ID.test(op.operationId)) return 'operationId';
  if (typeof op.operation !== 'string' || op.operation === '') return 'operation';
  if (typeof op.cardId !== 'string' || !CARD.test(op.cardId)) return 'cardId';
  if (op.operation !== 'STANDALONE_TRACKING' && op.operation !== 'PRODUCE') return null;
  if (!(op.status in OP_RANK)) return 'status';
  if (typeof op.startTime !== 'string' || !TS.test(op.startTime) || Number.isNaN(Date.parse(op.startTime))) return 'startTime';
  if (op.endTime != null && (typeof op.endTime !== 'string' || !TS.test(op.endTime))) return 'endTime';
  const d = op.details;
  if (d === null || typeof d !== 'object' || Array.isArray(d)) return 'details';
  if (op.operation !== 'PRODUCE' && !TRACKED.includes(d.trackingType)) return 'details.trackingType';
  if (code(d.status) === undefined) return 'details.status';
  const s = d.shipment;
  if (s != null) {
    if (typeof s !== 'object' || Array.isArray(s)) return 'details.shipment';
    if (code(s.carrier) === undefined) return 'details.shipment.carrier';
    if (code(s.trackingNumber) === undefined) return 'details.shipment.trackingNumber';
    if (code(s.status) === undefined) return 'details.shipment.status';
  }
  if (code(op.errorCode) === undefined) return 'errorCode';
  if (code(op.issuerRequestId) === undefined) return 'issuerRequestId';
  if (code(d.issuerRequestId) === undefined) return 'details.issuerRequestId';
  return null;
}

const present = (v) => v !== undefined && v !== null && v !== '';

/**
 * The joins of one operation: each field of its view, and the facts its notifications yield
 * (carrier events, business steps, terminal facts, parcel witnesses), folded in one at a time.
 */
export class OperationState {
  constructor() {
    this.seen = new Set();
    this.count = 0;
    this.top = this.succ = this.failed = this.biz = this.site = this.end = this.start = null;
    this.irid = this.reason = this.due = this.file = this.extra = null;
    // The shipment view: `shown` the greatest with a carrier status, `event` the greatest recognised one.
    this.hasShipment = false;
    this.shown = this.event = null;
    this.carrier = this.trackingNumber = this.message = this.trackingUrl = this.shipExtra = null;
    // Facts for the phase.
    this.delivered = null; // the greatest Delivered (carrier order)
    this.returnMs = null; // the earliest ReturnToSender instant
    this.eventEndMs = null; // the latest endTime of a recognised carrier event
    this.step = 0; // the highest business step (1-8)
    this.returned = this.canceled = false; // terminal facts reported
    this.returnedEndMs = this.canceledEndMs = null; // their earliest endTime
    this.tnLow = this.tnHigh = null; // parcel witnesses
  }

  /** The state itself (the XState peer hands over its actor's). */
  joins() {
    return this;
  }

  add(n) {
    if (this.seen.has(n.canon)) return false;
    this.seen.add(n.canon);
    this.count++;
    const later = (cur) => cur === null || keyCmp(n, cur) > 0;
    const op = n.op;
    const d = op.details;
    if (later(this.top)) this.top = n;
    if (op.status === 'SUCCESSFUL' && later(this.succ)) this.succ = n;
    if (op.status === 'FAILED' && later(this.failed)) this.failed = n;
    if (n.biz !== null && (this.biz === null || n.bizRank > this.biz.bizRank || (n.bizRank === this.biz.bizRank && keyCmp(n, this.biz) > 0))) this.biz = n;
    if (d.productionSite != null && later(this.site)) this.site = n;
    if (n.end !== null && later(this.end)) this.end = n;
    if ((present(op.issuerRequestId) || present(d.issuerRequestId)) && later(this.irid)) this.irid = n;
    if (d.reason != null && later(this.reason)) this.reason = n;
    if (d.dueDate != null && later(this.due)) this.due = n;
    if ((op.inputFileName != null || d.inputFileName != null) && later(this.file)) this.file = n;
    if (n.detailsExtra && later(this.extra)) this.extra = n;
    if (this.start === null || tsCmp(n.startTs, this.start.startTs) < 0 || (tsCmp(n.startTs, this.start.startTs) === 0 && keyCmp(n, this.start) < 0)) this.start = n;

    const s = n.ship;
    let step = n.bizRank <= SHIPPED ? n.bizRank : 0;
    if (s !== null) {
      this.hasShipment = true;
      if (n.shStatus !== null && (this.shown === null || carrierCmp(n, this.shown) > 0)) this.shown = n;
      if (n.stage > 0) {
        if (this.event === null || carrierCmp(n, this.event) > 0) this.event = n;
        if (n.end !== null && (this.eventEndMs === null || n.end.ms > this.eventEndMs)) this.eventEndMs = n.end.ms;
        if (n.stage === STAGE_DELIVERED && (this.delivered === null || carrierCmp(n, this.delivered) > 0)) this.delivered = n;
        if (n.stage === STAGE_RETURN && (this.returnMs === null || n.inst < this.returnMs)) this.returnMs = n.inst;
      } else {
        step = SHIPPED;
      }
      if (n.shCarrier !== null && (this.carrier === null || memberCmp(n, this.carrier) > 0)) this.carrier = n;
      if (n.shTn !== null) {
        if (this.trackingNumber === null || memberCmp(n, this.trackingNumber) > 0) this.trackingNumber = n;
        if (this.tnLow === null || byteCmp(n.shTn, this.tnLow) < 0) this.tnLow = n.shTn;
        if (this.tnHigh === null || byteCmp(n.shTn, this.tnHigh) > 0) this.tnHigh = n.shTn;
      }
      if (present(s.message) && (this.message === null || memberCmp(n, this.message) > 0)) this.message = n;
      if (present(s.trackingUrl) && (this.trackingUrl === null || memberCmp(n, this.trackingUrl) > 0)) this.trackingUrl = n;
      if (n.shipExtra && (this.shipExtra === null || memberCmp(n, this.shipExtra) > 0)) this.shipExtra = n;
    }
    if (n.kind === 'PRODUCTION' && op.status === 'SUCCESSFUL' && n.bizRank === 0 && step < PRODUCED) step = PRODUCED;
    if (step > this.step) this.step = step;
    if (op.status !== 'FAILED') {
      const endMs = n.end === null ? null : n.end.ms;
      if (n.biz === 'CARD_RETURNED' || (n.kind === 'RETURN' && op.status === 'SUCCESSFUL')) {
        this.returned = true;
        if (endMs !== null && (this.returnedEndMs === null || endMs < this.returnedEndMs)) this.returnedEndMs = endMs;
      }
      if (n.biz === 'CARD_PROD_CANCELED') {
        this.canceled = true;
        if (endMs !== null && (this.canceledEndMs === null || endMs < this.canceledEndMs)) this.canceledEndMs = endMs;
      }
    }
    return true;
  }

  shipmentView() {
    if (!this.hasShipment) return null;
    const member = (n, k) => (n === null ? null : n.op.details.shipment[k]);
    const view = {
      carrier: this.carrier?.shCarrier ?? null,
      trackingNumber: this.trackingNumber?.shTn ?? null,
      status: this.shown?.shStatus ?? null,
      phase: this.event === null ? 'UNKNOWN' : this.event.stageName,
      message: member(this.message, 'message'),
      trackingUrl: member(this.trackingUrl, 'trackingUrl'),
    };
    if (this.shipExtra !== null) {
      const s = this.shipExtra.op.details.shipment;
      const extra = {};
      for (const k of Object.keys(s)) if (!KNOWN_SHIPMENT.has(k)) extra[k] = s[k];
      view.extra = extra;
    }
    return view;
  }

  /** Whether the shipment status shown is a word the carrier table does not know. */
  unknownCarrierStatus() {
    return this.shown !== null && this.shown.stage === 0;
  }

  view(conflictElsewhere) {
    const out = {
      operationId: this.top.op.operationId,
      status: this.top.op.status,
      detailsStatus: this.biz?.biz ?? null,
      productionSite: this.site?.op.details.productionSite ?? null,
      shipment: this.shipmentView(),
      startTime: this.start.op.startTime,
      endTime: this.end?.op.endTime ?? null,
      errorCode: this.failed ? code(this.failed.op.errorCode) : null,
      error: this.failed?.op.error ?? null,
      issuerRequestId: this.irid ? code(this.irid.op.issuerRequestId) ?? code(this.irid.op.details.issuerRequestId) : null,
      reason: this.reason?.op.details.reason ?? null,
      dueDate: this.due?.op.details.dueDate ?? null,
      inputFileName: this.file ? this.file.op.inputFileName ?? this.file.op.details.inputFileName : null,
      notifications: this.count,
      conflict: conflictElsewhere || (this.succ !== null && this.failed !== null),
    };
    if (this.extra) {
      const d = this.extra.op.details;
      const extra = {};
      for (const k of Object.keys(d)) if (!KNOWN_DETAILS.has(k)) extra[k] = d[k];
      out.extra = extra;
    }
    return out;
  }
}

// ---- One card ----------------------------------------------------------------------------

/** The greatest (start, operationId) of a list of entries. */
const newer = (a, b) => {
  const c = tsCmp(a.s.start.startTs, b.s.start.startTs);
  return c > 0 || (c === 0 && a.id > b.id);
};

class Card {
  constructor(cardId) {
    this.cardId = cardId;
    this.ops = new Map(); // `${kind} ${operationId}` -> { kind, id, op }
    this.cached = null; // the view, as of the last notification folded
  }

  entry(kind, id, make) {
    const key = `${kind} ${id}`;
    let e = this.ops.get(key);
    if (!e) this.ops.set(key, (e = { kind, id, op: make(), s: null }));
    return e;
  }

  view() {
    if (this.cached !== null) return this.cached;
    const entries = [...this.ops.values()];
    for (const e of entries) e.s = e.op.joins();
    const trackings = {};
    const alerts = [];
    const current = {};
    for (const e of entries) if (current[e.kind] === undefined || newer(e, current[e.kind])) current[e.kind] = e;
    let failed = false;
    for (const type of TYPES) {
      const e = current[type];
      if (!e) continue;
      const elsewhere = TYPES.some((t) => t !== type && this.ops.has(`${t} ${e.id}`));
      const v = (trackings[type] = e.op.view(elsewhere));
      if (v.status === 'FAILED') {
        failed = true;
        alerts.push({ trackingType: type, code: 'OPERATION_FAILED', operationId: v.operationId, errorCode: v.errorCode, error: v.error });
      }
      if (v.conflict) alerts.push({ trackingType: type, code: 'CONFLICT', operationId: v.operationId, errorCode: null, error: null });
      if (e.s.unknownCarrierStatus()) alerts.push({ trackingType: type, code: 'UNKNOWN_CARRIER_STATUS', operationId: v.operationId, errorCode: null, error: null });
    }
    const phase = this.phase(entries, failed, alerts);
    alerts.sort(alertCmp);
    const unique = alerts.filter((a, i) => i === 0 || alertCmp(a, alerts[i - 1]) !== 0);
    return (this.cached = { cardId: this.cardId, trackings, phase, alerts: unique });
  }

  /** 2.7.1: terminal facts and their cuts, the cycles, the phase of the latest one holding a fact. */
  phase(entries, failed, alerts) {
    const startMs = (e) => e.s.start.startTs.ms;
    // Parcels: operations linked by a common witness tracking number.
    const parent = entries.map((_, i) => i);
    const root = (i) => { while (parent[i] !== i) i = parent[i] = parent[parent[i]]; return i; };
    const byNumber = new Map();
    entries.forEach((e, i) => {
      for (const tn of [e.s.tnLow, e.s.tnHigh]) {
        if (tn === null) continue;
        const j = byNumber.get(tn);
        if (j === undefined) byNumber.set(tn, i);
        else parent[root(i)] = root(j);
      }
    });
    // Floor, and the SHIPMENT/PRODUCE starts for undated terminal facts.
    const shipStarts = entries.filter((e) => e.kind === 'SHIPMENT' || e.kind === 'PRODUCE').map(startMs).sort((a, b) => a - b);
    const prodStarts = entries.filter((e) => e.kind === 'PRODUCTION').map(startMs);
    const floor = shipStarts.length ? shipStarts[0] : prodStarts.length ? Math.min(...prodStarts) : null;
    // Terminal facts: { e, returned, dated, instant, cut }.
    const facts = [];
    const terminal = (e, returned, instant, dated) => {
      const own = startMs(e);
      const low = Math.min(instant, own);
      facts.push({ e, returned, dated, instant, cut: floor === null ? low : Math.max(floor, low) });
    };
    const undated = (e) => {
      const own = startMs(e);
      let at = null;
      for (const s of shipStarts) if (s <= own) at = s;
      return at ?? shipStarts[0] ?? own;
    };
    for (const e of entries) {
      const s = e.s;
      if (s.returned) terminal(e, true, s.returnedEndMs ?? undated(e), s.returnedEndMs !== null);
      if (s.canceled) terminal(e, false, s.canceledEndMs ?? undated(e), s.canceledEndMs !== null);
    }
    // Carrier-confirmed returns: a parcel's latest Delivered at or after its earliest ReturnToSender.
    const parcels = new Map(); // root -> { returnMs, delivered, entry }
    entries.forEach((e, i) => {
      const r = root(i);
      let p = parcels.get(r);
      if (!p) parcels.set(r, (p = { returnMs: null, delivered: null, entry: null }));
      if (e.s.returnMs !== null && (p.returnMs === null || e.s.returnMs < p.returnMs)) p.returnMs = e.s.returnMs;
      if (e.s.delivered !== null && (p.delivered === null || carrierCmp(e.s.delivered, p.delivered) > 0)) {
        p.delivered = e.s.delivered;
        p.entry = e;
      }
    });
    for (const p of parcels.values()) {
      if (p.returnMs !== null && p.delivered !== null && p.returnMs <= p.delivered.inst) terminal(p.entry, true, p.delivered.inst, true);
    }
    // Cuts and cycles: cycle i holds the operations with cuts[i-1] < start <= cuts[i]; the last is open.
    const cuts = [...new Set(facts.map((f) => f.cut))].sort((a, b) => a - b);
    const cycleOf = (ms) => { let i = 0; while (i < cuts.length && cuts[i] < ms) i++; return i; };
    for (const f of facts) f.cycle = cuts.indexOf(f.cut);
    const cycles = cuts.map(() => []);
    cycles.push([]);
    entries.forEach((e, i) => { e.parcel = root(i); cycles[cycleOf(startMs(e))].push(e); });
    const open = cuts.length;

    const ambiguous = (e) => alerts.push({ trackingType: e.kind, code: 'AMBIGUOUS_ORDER', operationId: e.id, errorCode: null, error: null });
    // (b) a closed cycle's carrier event reported after the cycle's dated terminal facts.
    for (let c = 0; c < open; c++) {
      let latest = null;
      for (const f of facts) if (f.cycle === c && f.dated && (latest === null || f.instant > latest)) latest = f.instant;
      if (latest === null) continue;
      for (const e of cycles[c]) if (e.s.eventEndMs !== null && e.s.eventEndMs > latest) ambiguous(e);
    }
    // (a) the phase read from a cycle that an undated terminal fact closed or opened.
    const readFrom = (c) => {
      for (const f of facts) if (!f.dated && (f.cycle === c || f.cycle === c - 1)) ambiguous(f.e);
    };

    const fromOpen = this.cyclePhase(cycles[open]);
    if (fromOpen !== null) {
      readFrom(open);
      return fromOpen;
    }
    if (open > 0) {
      readFrom(open - 1);
      return facts.some((f) => f.cycle === open - 1 && f.returned) ? 'RETURNED' : 'CANCELED';
    }
    return failed ? 'FAILED' : entries.length ? 'TRACKING' : 'TRACKING_REQUESTED';
  }

  /** The phase an open cycle's facts give: its greatest carrier event, else its highest business step. */
  cyclePhase(ops) {
    const parcels = new Map(); // parcel -> { start, event }
    for (const e of ops) {
      let p = parcels.get(e.parcel);
      if (!p) parcels.set(e.parcel, (p = { start: -Infinity, event: null }));
      p.start = Math.max(p.start, e.s.start.startTs.ms);
      if (e.s.event !== null && (p.event === null || carrierCmp(e.s.event, p.event) > 0)) p.event = e.s.event;
    }
    let best = null;
    for (const p of parcels.values()) if (p.event !== null && (best === null || parcelCmp(p, best) > 0)) best = p;
    if (best !== null) return CARD_PHASE[best.event.stage];
    const latest = {};
    for (const e of ops) if (latest[e.kind] === undefined || newer(e, latest[e.kind])) latest[e.kind] = e;
    let step = 0;
    for (const e of Object.values(latest)) step = Math.max(step, e.s.step);
    return step > 0 ? STEP_PHASE[step] : null;
  }
}

const nullCmp = (a, b) => (a === b ? 0 : a === null ? -1 : b === null ? 1 : byteCmp(String(a), String(b)));
function alertCmp(a, b) {
  return TYPE_ORDER[a.trackingType] - TYPE_ORDER[b.trackingType] || CODE_ORDER[a.code] - CODE_ORDER[b.code] ||
    byteCmp(a.operationId, b.operationId) || nullCmp(a.errorCode, b.errorCode) || nullCmp(a.error, b.error);
}

function diff(before, after) {
  const changes = [];
  for (const type of TYPES) {
    const a = before?.trackings[type];
    const b = after.trackings[type];
    if (a === undefined && b === undefined) continue;
    const keys = [...new Set([...Object.keys(a ?? {}), ...Object.keys(b ?? {})])].sort();
    for (const k of keys) {
      if (k === 'notifications') continue;
      const o = a?.[k] ?? null;
      const n = b?.[k] ?? null;
      if (canonical(o) !== canonical(n)) changes.push({ trackingType: type, field: k, old: o, new: n });
    }
  }
  if (before?.phase !== after.phase) changes.push({ trackingType: null, field: 'phase', old: before?.phase ?? null, new: after.phase });
  return changes;
}

/** The notification as the joins read it: its ranks, instants and codes, computed once. */
function notification(op, kind) {
  const d = op.details;
  const s = d.shipment != null ? d.shipment : null;
  const shStatus = s === null ? null : code(s.status);
  const [stageName, stage] = stageOf(shStatus);
  const biz = code(d.status);
  const end = op.endTime != null ? ts(op.endTime) : null;
  const startTs = ts(op.startTime);
  let detailsExtra = false;
  for (const k in d) if (!KNOWN_DETAILS.has(k)) { detailsExtra = true; break; }
  let shipExtra = false;
  if (s !== null) for (const k in s) if (!KNOWN_SHIPMENT.has(k)) { shipExtra = true; break; }
  return {
    op, kind, canon: canonical(op), content: null, rank: OP_RANK[op.status], end, startTs,
    inst: (end ?? startTs).ms, ship: s, shStatus, stage, stageName,
    shCarrier: s === null ? null : code(s.carrier), shTn: s === null ? null : code(s.trackingNumber),
    biz, bizRank: biz === null ? 0 : BIZ_RANK[biz] ?? 0, detailsExtra, shipExtra,
  };
}

export class PlainTracker {
  /** `makeOperation` creates the state of one operation (the XState peer swaps it). */
  constructor(makeOperation = () => new OperationState()) {
    this.cards = new Map();
    this.makeOperation = makeOperation;
  }

  apply(body) {
    const text = typeof body === 'string' ? body : body.toString('utf8');
    let envelope = JSON.parse(text);
    if (envelope === null || typeof envelope !== 'object' || !Array.isArray(envelope.operations)) {
      throw Object.assign(new Error('invalid body'), { code: 'PARSING_ERROR' });
    }
    // A number where a code is expected is read as the literal sent: parse again, keeping it.
    if (envelope.operations.some(numberInCode)) {
      envelope = parseExact(text);
      envelope.operations = envelope.operations.map(restoreNumbers);
    }
    return {
      operations: envelope.operations.map((op, index) => {
        const bad = validate(op);
        if (bad !== null) return { index, outcome: 'rejected', error: { path: `operations[${index}].${bad}` } };
        if (op.operation !== 'STANDALONE_TRACKING' && op.operation !== 'PRODUCE') return { index, outcome: 'ignored' };
        const kind = op.operation === 'PRODUCE' ? 'PRODUCE' : op.details.trackingType;
        const n = notification(op, kind);
        let card = this.cards.get(op.cardId);
        if (!card) this.cards.set(op.cardId, (card = new Card(op.cardId)));
        const before = card.ops.size ? card.view() : null;
        if (!card.entry(kind, op.operationId, this.makeOperation).op.add(n)) return { index, outcome: 'duplicate', changes: [] };
        card.cached = null;
        const changes = diff(before, card.view());
        return { index, outcome: changes.length ? 'applied' : 'recorded', changes };
      }),
    };
  }

  card(cardId) {
    return this.cards.get(cardId)?.view();
  }

  cardsView() {
    return [...this.cards.keys()].sort().map((id) => this.cards.get(id).view());
  }
}
