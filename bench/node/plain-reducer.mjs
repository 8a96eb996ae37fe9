// The peer of the npm package: the same fold (README, "What the fold
// guarantees": content duplicates,
// field-wise joins, current operation per tracking type, phase, changes),
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
const TYPES = ['PRODUCTION', 'SHIPMENT', 'RETURN'];
const ID = /^[A-Za-z0-9_-]{1,64}$/;
const CARD = /^[A-Za-z0-9_-]{1,48}$/;
const TS = /^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;

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
  if (op.operation !== 'STANDALONE_TRACKING') return null;
  if (!(op.status in OP_RANK)) return 'status';
  if (typeof op.startTime !== 'string' || !TS.test(op.startTime) || Number.isNaN(Date.parse(op.startTime))) return 'startTime';
  if (op.endTime != null && (typeof op.endTime !== 'string' || !TS.test(op.endTime))) return 'endTime';
  const d = op.details;
  if (d === null || typeof d !== 'object' || Array.isArray(d)) return 'details';
  if (!TYPES.includes(d.trackingType)) return 'details.trackingType';
  if (d.status != null && typeof d.status !== 'string') return 'details.status';
  if (d.shipment != null && (typeof d.shipment !== 'object' || Array.isArray(d.shipment))) return 'details.shipment';
  return null;
}

export class OperationState {
  constructor() {
    this.seen = new Set();
    this.count = 0;
    this.top = this.succ = this.failed = this.biz = this.ship = this.site = this.end = this.start = null;
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
      errorCode: this.failed?.op.errorCode ?? null,
      error: this.failed?.op.error ?? null,
      notifications: this.count,
      conflict: conflictElsewhere || (this.succ !== null && this.failed !== null),
    };
  }
}

function phaseOf(t) {
  const any = (f) => Object.values(t).some(f);
  const ship = t.SHIPMENT?.shipment?.phase;
  if (t.RETURN?.status === 'SUCCESSFUL') return 'RETURNED';
  if (any((v) => v.detailsStatus === 'CARD_RETURNED')) return 'RETURNED';
  if (any((v) => v.status === 'FAILED')) return 'FAILED';
  if (any((v) => v.detailsStatus === 'CARD_PROD_CANCELED')) return 'CANCELED';
  if (any((v) => v.detailsStatus === 'DATA_EXCEPTION' || v.detailsStatus === 'CARD_PROD_EXCEPTION')) return 'FAILED';
  if (ship === 'DELIVERED') return 'DELIVERED';
  if (ship === 'EXCEPTION' || ship === 'ATTEMPT_FAIL' || ship === 'EXPIRED') return 'DELIVERY_EXCEPTION';
  if (ship === 'AVAILABLE_FOR_PICKUP') return 'AVAILABLE_FOR_PICKUP';
  if (ship === 'OUT_FOR_DELIVERY') return 'OUT_FOR_DELIVERY';
  if (ship === 'IN_TRANSIT') return 'IN_TRANSIT';
  if (ship !== undefined) return 'SHIPPED';
  if (any((v) => v.detailsStatus === 'CARD_SHIPPED')) return 'SHIPPED';
  if (any((v) => v.detailsStatus === 'CARD_PROD_DONE')) return 'PRODUCED';
  if (t.PRODUCTION) return 'IN_PRODUCTION';
  return 'TRACKING';
}

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

  view() {
    const trackings = this.trackings();
    return { cardId: this.cardId, trackings, phase: phaseOf(trackings) };
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
        if (op.operation !== 'STANDALONE_TRACKING') return { index, outcome: 'ignored' };
        const canon = canonical(op);
        const s = op.details.shipment;
        const n = {
          op, canon, rank: OP_RANK[op.status], end: op.endTime != null ? ts(op.endTime) : null, startTs: ts(op.startTime),
          shipRank: s ? shipPhase(s.status)[1] : 0, bizRank: op.details.status != null ? BIZ_RANK[op.details.status] ?? 0 : 0,
        };
        let card = this.cards.get(op.cardId);
        const before = card ? card.view() : null;
        if (!card) this.cards.set(op.cardId, (card = new Card(op.cardId)));
        const key = `${op.details.trackingType} ${op.operationId}`;
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
