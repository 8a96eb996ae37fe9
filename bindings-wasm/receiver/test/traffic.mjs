// D1-like traffic for the receiver's tests and its load bench, from a seed:
// per card, the notifications D1 sends over its life (PRODUCE or a
// PRODUCTION, a SHIPMENT with carrier updates, sometimes a RETURN, sometimes
// a failed operation that names no tracking type), cut into single and bulk
// bodies, a fifth of them sent again (some re-serialised), shuffled, with a
// few invalid operations and Track Card request records among them.

/** A small seeded PRNG (mulberry32): the same seed, the same traffic. */
export function prng(seed) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    int: (n) => Math.floor(next() * n),
    chance: (p) => next() < p,
    pick: (list) => list[Math.floor(next() * list.length)],
    shuffle(list) {
      for (let i = list.length - 1; i > 0; i--) {
        const j = Math.floor(next() * (i + 1));
        [list[i], list[j]] = [list[j], list[i]];
      }
      return list;
    },
  };
}

const DAY = 86_400_000;
const EPOCH = Date.UTC(2026, 2, 1, 8);
const iso = (ms) => new Date(ms).toISOString();
const CARRIER_STEPS = ['InfoReceived', 'InTransit', 'OutForDelivery', 'Delivered'];

/** Every notification of one card's life, in the order D1 produced them. */
function cardLife(rng, n) {
  const cardId = `card-${String(n).padStart(7, '0')}`;
  const start = EPOCH + rng.int(20) * DAY + rng.int(DAY);
  const out = [];
  const op = (operationId, status, startMs, details, endMs, operation = 'STANDALONE_TRACKING') => {
    const o = { operationId, operation, status, startTime: iso(startMs), cardId };
    if (endMs !== undefined) o.endTime = iso(endMs);
    if (details !== undefined) o.details = details;
    out.push(o);
  };
  if (rng.chance(0.2)) {
    const id = `produce-${n}`;
    op(id, 'PENDING', start, { status: 'CARD_PROD_REQUESTED' }, undefined, 'PRODUCE');
    op(id, 'PENDING', start, { status: 'CARD_PRODUCED' }, undefined, 'PRODUCE');
    op(id, 'SUCCESSFUL', start, { status: 'CARD_SHIPPED', productionSite: 'FR-PARIS-01' }, start + DAY, 'PRODUCE');
  } else {
    const id = `prod-${n}`;
    op(id, 'PENDING', start, { trackingType: 'PRODUCTION' });
    op(id, 'SUCCESSFUL', start, { trackingType: 'PRODUCTION', status: 'CARD_SHIPPED', productionSite: 'FR-PARIS-01' }, start + DAY);
  }
  const shipStart = start + 2 * DAY;
  const ship = `ship-${n}`;
  const tracking = `1Z999AA1${String(n).padStart(10, '0')}`;
  const steps = 1 + rng.int(CARRIER_STEPS.length);
  op(ship, 'PENDING', shipStart, { trackingType: 'SHIPMENT' });
  for (let s = 0; s < steps; s++) {
    const at = shipStart + (s + 1) * DAY / 2;
    op(ship, 'SUCCESSFUL', shipStart, {
      trackingType: 'SHIPMENT', status: 'CARD_SHIPPED',
      shipment: { carrier: 'ups', trackingNumber: tracking, status: CARRIER_STEPS[s],
        message: `Update ${s} from the carrier`, trackingUrl: `https://carrier.example/track/${tracking}` },
    }, at);
  }
  if (rng.chance(0.1)) {
    op(`ret-${n}`, 'PENDING', shipStart + 5 * DAY, { trackingType: 'RETURN' });
    op(`ret-${n}`, 'SUCCESSFUL', shipStart + 5 * DAY, { trackingType: 'RETURN', status: 'CARD_RETURNED' }, shipStart + 6 * DAY);
  }
  if (rng.chance(0.05)) {
    // A failure of the shipment that does not say its tracking type.
    op(ship, 'FAILED', shipStart, undefined, shipStart + 7 * DAY);
  }
  return { cardId, notifications: out };
}

/** The same JSON in another spelling: keys reversed, indented (what a proxy might do). */
export function reserialise(text) {
  const reverse = (v) => Array.isArray(v) ? v.map(reverse)
    : v !== null && typeof v === 'object'
      ? Object.fromEntries(Object.entries(v).reverse().map(([k, x]) => [k, reverse(x)]))
      : v;
  return JSON.stringify(reverse(JSON.parse(text)), null, 1);
}

/**
 * The traffic: `{sends, cards, invalid, stats}`. Each send is
 * `{kind: 'body', text}` or `{kind: 'request', cardId, trackingType, atMs}`;
 * `invalid` lists the marker (an operationId) of each invalid operation.
 */
export function traffic({ cards = 2000, seed = 1, duplicates = 0.2, bulk = 0.03, invalidRate = 0.003, requests = 0.1 } = {}) {
  const rng = prng(seed);
  const notifications = [];
  const cardIds = [];
  for (let n = 0; n < cards; n++) {
    const life = cardLife(rng, n);
    cardIds.push(life.cardId);
    notifications.push(...life.notifications);
  }
  rng.shuffle(notifications);
  const invalid = [];
  const broken = (i) => {
    const marker = `invalid-${i}`;
    invalid.push(marker);
    const cardId = rng.pick(cardIds);
    return i % 2 === 0
      ? { operationId: marker, operation: 'STANDALONE_TRACKING', status: 'NOT_A_STATUS', startTime: iso(EPOCH), cardId, details: { trackingType: 'SHIPMENT' } }
      : { operationId: marker, operation: 'STANDALONE_TRACKING', status: 'PENDING', startTime: 'yesterday', cardId, details: { trackingType: 'PRODUCTION' } };
  };
  const bodies = [];
  let bulkBodies = 0;
  for (let i = 0; i < notifications.length;) {
    const size = rng.chance(bulk) ? 5 + rng.int(46) : 1;
    const operations = notifications.slice(i, i + size);
    i += size;
    if (size > 1) bulkBodies++;
    if (rng.chance(invalidRate * size)) operations.splice(rng.int(operations.length + 1), 0, broken(invalid.length));
    bodies.push(JSON.stringify({ operations }));
  }
  const sends = bodies.map((text) => ({ kind: 'body', text }));
  const copies = Math.round(bodies.length * duplicates);
  let reserialised = 0;
  for (let i = 0; i < copies; i++) {
    const text = rng.pick(bodies);
    const again = rng.chance(0.3);
    if (again) reserialised++;
    sends.push({ kind: 'body', text: again ? reserialise(text) : text });
  }
  let requestRecords = 0;
  for (const cardId of cardIds) {
    if (!rng.chance(requests)) continue;
    const trackingType = rng.pick(['SHIPMENT', 'RETURN', 'PRODUCTION']);
    const atMs = EPOCH + rng.int(30) * DAY;
    requestRecords++;
    sends.push({ kind: 'request', cardId, trackingType, atMs });
    // A request record sent twice is recorded once.
    if (rng.chance(0.2)) sends.push({ kind: 'request', cardId, trackingType, atMs });
  }
  rng.shuffle(sends);
  return {
    sends,
    cards: cardIds,
    invalid,
    stats: {
      cards, notifications: notifications.length, bodies: bodies.length, bulkBodies,
      duplicateBodies: copies, reserialised, invalidOperations: invalid.length, requestRecords,
      sends: sends.length,
    },
  };
}
