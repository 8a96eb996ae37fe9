// The peer of the npm package: the same fold (README, "What the fold
// guarantees": content duplicates,
// field-wise joins, current operation per kind, the phase as the latest
// physical fact, alerts, changes; PRODUCE folded as a kind; notifications
// without a tracking type are out of its scope: the workloads hold none),
// written in plain JavaScript as a good Node engineer would: JSON.parse,
// Maps, incremental joins, no needless copies. Its views must equal the
// package's (bench.mjs checks that on every run).

const OP_RANK = { PENDING: 1, SUCCESSFUL: 2, FAILED: 3 };
const BIZ_RANK = {
  CARD_PROD_REQUESTED: 1, DATA_PREPARED: 2, CARD_PROD_READY: 3, CARD_PROD_ONGOING: 4, CARD_PROD_DONE: 5,
  CARD_SHIPPED: 6, CARD_RETURNED: 7, DATA_EXCEPTION: 8, CARD_PROD_EXCEPTION: 8, CARD_PROD_CANCELED: 9,
};
const SHIP = {
  pending: ['PENDING', 1], inforeceived: ['INFO_RECEIVED', 2], intransit: ['IN_TRANSIT', 3],
  exception: ['EXCEPTION', 4], attemptfail: ['ATTEMPT_FAIL', 4], expired: ['EXPIRED', 4],
  outfordelivery: ['OUT_FOR_DELIVERY', 5], availableforpickup: ['AVAILABLE_FOR_PICKUP', 6], delivered: ['DELIVERED', 7],
};
const TRACKED = ['PRODUCTION', 'SHIPMENT', 'RETURN'];
const TYPES = [...TRACKED, 'PRODUCE'];
const KNOWN_DETAILS = ['dueDate', 'inputFileName', 'issuerRequestId', 'productionSite', 'reason', 'shipment', 'status', 'trackingType'];
const ID = /^[A-Za-z0-9_-]{1,64}$/;
const CARD = /^[A-Za-z0-9_-]{1,48}$/;
const TS = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}(:?\d{2})?)?$/;

const shipPhase = (status) =>
  typeof status === 'string' ? SHIP[status.replace(/[ _-]/g, '').toLowerCase()] ?? ['UNKNOWN', 0] : ['UNKNOWN', 0];

export function canonical(v) {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (v !== null && typeof v === 'object') {
    return `{${Object.keys(v).sort().map((k) => `${JSON.stringify(k)}:${canonical(v[k])}`).join(',')}}`;
  }
  return JSON.stringify(v);
}

/** Instant then text, so spellings of one instant still order totally. */
const tsCmp = (a, b) => a.ms - b.ms || (a.text < b.text ? -1 : a.text > b.text ? 1 : 0);
const ts = (text) => ({ text, ms: Date.parse(text) });

function keyCmp(a, b) {
  return (
    a.rank - b.rank ||
    (a.end === null ? (b.end === null ? 0 : -1) : b.end === null ? 1 : a.end.ms - b.end.ms) ||
    a.shipRank - b.shipRank ||
    a.bizRank - b.bizRank ||
    (a.canon < b.canon ? -1 : a.canon > b.canon ? 1 : 0)
  );
}

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
  if (d.status != null && typeof d.status !== 'string') return 'details.status';
  if (d.shipment != null && (typeof d.shipment !== 'object' || Array.isArray(d.shipment))) return 'details.shipment';
  return null;
}

export class OperationState {
  constructor() {
    this.seen = new Set();
    this.count = 0;
    this.top = this.succ = this.failed = this.biz = this.ship = this.site = this.end = this.start = null;
    this.irid = this.reason = this.due = this.file = this.extra = null;
  }

  add(n) {
    if (this.seen.has(n.canon)) return false;
    this.seen.add(n.canon);
    this.count++;
    const later = (cur) => cur === null || keyCmp(n, cur) > 0;
    if (later(this.top)) this.top = n;
    if (n.op.status === 'SUCCESSFUL' && later(this.succ)) this.succ = n;
    if (n.op.status === 'FAILED' && later(this.failed)) this.failed = n;
    if (n.op.details.status != null && (this.biz === null || n.bizRank - this.biz.bizRank > 0 || (n.bizRank === this.biz.bizRank && keyCmp(n, this.biz) > 0))) this.biz = n;
    if (n.op.details.shipment != null && later(this.ship)) this.ship = n;
    if (n.op.details.productionSite != null && later(this.site)) this.site = n;
    if (n.end !== null && later(this.end)) this.end = n;
    const d = n.op.details;
    if ((n.op.issuerRequestId || d.issuerRequestId) && later(this.irid)) this.irid = n;
    if (d.reason != null && later(this.reason)) this.reason = n;
    if (d.dueDate != null && later(this.due)) this.due = n;
    if ((n.op.inputFileName != null || d.inputFileName != null) && later(this.file)) this.file = n;
    if (Object.keys(d).some((k) => !KNOWN_DETAILS.includes(k)) && later(this.extra)) this.extra = n;
    if (this.start === null || tsCmp(n.startTs, this.start.startTs) < 0 || (tsCmp(n.startTs, this.start.startTs) === 0 && keyCmp(n, this.start) < 0)) this.start = n;
    return true;
  }

  view(conflictElsewhere) {
    const s = this.ship?.op.details.shipment;
    let shipment = null;
    if (s) {
      shipment = { carrier: s.carrier ?? null, trackingNumber: s.trackingNumber ?? null, status: s.status ?? null,
        phase: shipPhase(s.status)[0], message: s.message ?? null, trackingUrl: s.trackingUrl ?? null };
      const extra = {};
      let any = false;
      for (const k of Object.keys(s)) {
        if (!['carrier', 'trackingNumber', 'status', 'message', 'trackingUrl'].includes(k)) { extra[k] = s[k]; any = true; }
      }
      if (any) shipment.extra = extra;
    }
    return {
      operationId: this.top.op.operationId,
      status: this.top.op.status,
      detailsStatus: this.biz?.op.details.status ?? null,
      productionSite: this.site?.op.details.productionSite ?? null,
      shipment,
      startTime: this.start.op.startTime,
      endTime: this.end?.op.endTime ?? null,
      errorCode: this.failed?.op.errorCode || null,
      error: this.failed?.op.error ?? null,
      issuerRequestId: this.irid ? this.irid.op.issuerRequestId || this.irid.op.details.issuerRequestId : null,
      reason: this.reason?.op.details.reason ?? null,
      dueDate: this.due?.op.details.dueDate ?? null,
      inputFileName: this.file ? this.file.op.inputFileName ?? this.file.op.details.inputFileName : null,
      ...(this.extra ? { extra: Object.fromEntries(Object.entries(this.extra.op.details).filter(([k]) => !KNOWN_DETAILS.includes(k))) } : {}),
      notifications: this.count,
      conflict: conflictElsewhere || (this.succ !== null && this.failed !== null),
    };
  }

  /** The facts of this operation: [instant in ms, row, phase] (README, "Phase"). */
  facts(kind) {
    const at = (n) => (n.end ?? n.startTs).ms;
    const out = [];
    if (this.ship) {
      const row = SHIP_FACTS[shipPhase(this.ship.op.details.shipment.status)[0]] ?? 5;
      out.push([at(this.ship), row, PHASE_ROWS[row]]);
    }
    if (this.biz) {
      const row = BIZ_FACTS[this.biz.op.details.status];
      if (row !== undefined) out.push([at(this.biz), row, PHASE_ROWS[row]]);
    } else if (this.succ && (kind === 'RETURN' || kind === 'PRODUCTION')) {
      const row = kind === 'RETURN' ? 12 : 13;
      out.push([at(this.succ), row, PHASE_ROWS[row]]);
    }
    return out;
  }
}

// The phase table: a row per fact, the earlier row winning at equal instants.
const PHASE_ROWS = ['DELIVERED', 'DELIVERY_EXCEPTION', 'AVAILABLE_FOR_PICKUP', 'OUT_FOR_DELIVERY', 'IN_TRANSIT', 'SHIPPED',
  'RETURNED', 'CANCELED', 'PRODUCTION_EXCEPTION', 'SHIPPED', 'PRODUCED', 'IN_PRODUCTION', 'RETURNED', 'PRODUCED'];
const SHIP_FACTS = { DELIVERED: 0, EXCEPTION: 1, ATTEMPT_FAIL: 1, EXPIRED: 1, AVAILABLE_FOR_PICKUP: 2, OUT_FOR_DELIVERY: 3, IN_TRANSIT: 4 };
const BIZ_FACTS = { CARD_RETURNED: 6, CARD_PROD_CANCELED: 7, DATA_EXCEPTION: 8, CARD_PROD_EXCEPTION: 8, CARD_SHIPPED: 9,
  CARD_PROD_DONE: 10, CARD_PROD_REQUESTED: 11, DATA_PREPARED: 11, CARD_PROD_READY: 11, CARD_PROD_ONGOING: 11 };

class Card {
  constructor(cardId) {
    this.cardId = cardId;
    this.ops = new Map(); // `${type} ${operationId}` -> OperationState
  }

  trackings() {
    const out = {};
    for (const type of TYPES) {
      let best = null;
      for (const [key, op] of this.ops) {
        const [t, id] = key.split(' ');
        if (t !== type) continue;
        if (best === null || tsCmp(op.start.startTs, best.op.start.startTs) > 0 ||
            (tsCmp(op.start.startTs, best.op.start.startTs) === 0 && id > best.id)) best = { id, op };
      }
      if (best === null) continue;
      const elsewhere = TYPES.some((t) => t !== type && this.ops.has(`${t} ${best.id}`));
      out[type] = best.op.view(elsewhere);
    }
    return out;
  }

  phase() {
    let best = null;
    let failed = false;
    for (const [key, op] of this.ops) {
      failed ||= op.top.op.status === 'FAILED';
      for (const f of op.facts(key.split(' ')[0])) {
        if (best === null || f[0] > best[0] || (f[0] === best[0] && f[1] < best[1])) best = f;
      }
    }
    return best ? best[2] : failed ? 'FAILED' : 'TRACKING';
  }

  view() {
    const trackings = this.trackings();
    const alerts = [];
    for (const type of TYPES) {
      const v = trackings[type];
      if (!v) continue;
      if (v.status === 'FAILED') alerts.push({ trackingType: type, code: 'OPERATION_FAILED', operationId: v.operationId, errorCode: v.errorCode, error: v.error });
      if (v.conflict) alerts.push({ trackingType: type, code: 'CONFLICT', operationId: v.operationId, errorCode: null, error: null });
    }
    return { cardId: this.cardId, trackings, phase: this.phase(), alerts };
  }
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

export class PlainTracker {
  /** `makeOperation` creates the state of one operation (the XState peer swaps it). */
  constructor(makeOperation = () => new OperationState()) {
    this.cards = new Map();
    this.makeOperation = makeOperation;
  }

  apply(body) {
    const envelope = JSON.parse(typeof body === 'string' ? body : body.toString('utf8'));
    if (envelope === null || typeof envelope !== 'object' || !Array.isArray(envelope.operations)) {
      throw Object.assign(new Error('invalid body'), { code: 'PARSING_ERROR' });
    }
    return {
      operations: envelope.operations.map((op, index) => {
        const bad = validate(op);
        if (bad !== null) return { index, outcome: 'rejected', error: { path: `operations[${index}].${bad}` } };
        if (op.operation !== 'STANDALONE_TRACKING' && op.operation !== 'PRODUCE') return { index, outcome: 'ignored' };
        const canon = canonical(op);
        const s = op.details.shipment;
        const n = {
          op, canon, rank: OP_RANK[op.status], end: op.endTime != null ? ts(op.endTime) : null, startTs: ts(op.startTime),
          shipRank: s ? shipPhase(s.status)[1] : 0, bizRank: op.details.status != null ? BIZ_RANK[op.details.status] ?? 0 : 0,
        };
        let card = this.cards.get(op.cardId);
        const before = card ? card.view() : null;
        if (!card) this.cards.set(op.cardId, (card = new Card(op.cardId)));
        const kind = op.operation === 'PRODUCE' ? 'PRODUCE' : op.details.trackingType;
        const key = `${kind} ${op.operationId}`;
        let state = card.ops.get(key);
        if (!state) card.ops.set(key, (state = this.makeOperation()));
        if (!state.add(n)) return { index, outcome: 'duplicate', changes: [] };
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
