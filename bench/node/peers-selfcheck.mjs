// A self-check of the two peers (plain and XState) on hand-written v3 histories, while the npm
// package that bench.mjs compares them with is not at hand: each history is folded by both peers
// in several orders (every permutation of small histories, shuffles with duplicates of larger
// ones, and all in one body); every run must give the same card views, and the expected phase,
// shipment members and alerts.
//   node bench/node/peers-selfcheck.mjs
import assert from 'node:assert/strict';
import { PlainTracker, canonical } from './plain-reducer.mjs';
import { makeXStateTracker } from './xstate-reducer.mjs';

const CARD = 'card-0001';
const day = (d, h = 9, m = 0) => `2026-03-${String(d).padStart(2, '0')}T${String(h).padStart(2, '0')}:${String(m).padStart(2, '0')}:00.000Z`;

/** One notification: an operation of `kind` started `start`, with details and extra members. */
function op(kind, id, status, start, { end, details = {}, shipment, ...rest } = {}) {
  const o = { operationId: id, operation: kind === 'PRODUCE' ? 'PRODUCE' : 'STANDALONE_TRACKING', status, startTime: start, cardId: CARD };
  if (end !== undefined) o.endTime = end;
  o.details = kind === 'PRODUCE' ? { ...details } : { trackingType: kind, ...details };
  if (shipment !== undefined) o.details.shipment = shipment;
  return Object.assign(o, rest);
}
const ups = (status, extra = {}) => ({ carrier: 'ups', trackingNumber: '1Z999AA10123456784', status, ...extra });
const body = (ops) => JSON.stringify({ operations: ops });

const S = day(1, 10); // the shipment's request
const P = day(1, 9); // the production's request
const production = op('PRODUCTION', 'prod-1', 'SUCCESSFUL', P, { end: day(6, 16), details: { status: 'CARD_SHIPPED', productionSite: 'FR-PARIS-01' } });
const pending = op('SHIPMENT', 'ship-1', 'PENDING', S);
const ship = (status, end, extra) => op('SHIPMENT', 'ship-1', 'SUCCESSFUL', S, { end, details: { status: 'CARD_SHIPPED' }, shipment: ups(status, extra) });

const alert = (trackingType, code, operationId, errorCode = null, error = null) => ({ trackingType, code, operationId, errorCode, error });

const histories = [
  {
    name: 'delivered, then the production report (dated after the delivery)',
    ops: [production, pending, ship('InTransit', day(3)), ship('Delivered', day(5))],
    phase: 'DELIVERED',
    check: (v) => assert.equal(v.trackings.SHIPMENT.shipment.phase, 'DELIVERED'),
  },
  {
    name: 'ReturnToSender: the carrier is bringing the card back',
    ops: [production, pending, ship('InTransit', day(3)), ship('ReturnToSender', day(5))],
    phase: 'RETURNING',
    check: (v) => assert.equal(v.trackings.SHIPMENT.shipment.phase, 'RETURN_TO_SENDER'),
  },
  {
    name: 'ReturnToSender then Delivered (to the sender): returned',
    ops: [production, pending, ship('InTransit', day(3)), ship('return_to_sender', day(5)), ship('Delivered', day(8))],
    phase: 'RETURNED',
    alerts: [],
  },
  {
    name: 'Delivered then ReturnToSender (refused after delivery): returning, not returned',
    ops: [pending, ship('Delivered', day(4)), ship('Returned to sender', day(5))],
    phase: 'RETURNING',
  },
  {
    name: 'CARD_RETURNED without endTime, the RETURN requested before the shipment',
    ops: [
      op('RETURN', 'ret-1', 'SUCCESSFUL', day(1, 8), { details: { status: 'CARD_RETURNED' } }),
      pending, ship('InTransit', day(3)), ship('Delivered', day(5)),
    ],
    phase: 'RETURNED',
    alerts: [alert('RETURN', 'AMBIGUOUS_ORDER', 'ret-1')],
  },
  {
    name: 'an unknown carrier word after a known one',
    ops: [pending, ship('InTransit', day(3)), ship('Held at customs', day(4))],
    phase: 'IN_TRANSIT',
    alerts: [alert('SHIPMENT', 'UNKNOWN_CARRIER_STATUS', 'ship-1')],
    check: (v) => {
      assert.equal(v.trackings.SHIPMENT.shipment.status, 'Held at customs');
      assert.equal(v.trackings.SHIPMENT.shipment.phase, 'IN_TRANSIT');
    },
  },
  {
    name: 'an unknown word that a later known one replaced raises nothing',
    ops: [pending, ship('Held at customs', day(3)), ship('OutForDelivery', day(4))],
    phase: 'OUT_FOR_DELIVERY',
    alerts: [],
  },
  {
    name: 'a proof-of-delivery follow-up with an empty status',
    ops: [
      pending, ship('InTransit', day(3), { message: 'Departed facility' }),
      ship('Delivered', day(5), { message: 'Delivered' }),
      ship('', day(6), { message: 'Signed by J. Doe', trackingUrl: 'https://carrier.example/pod/1' }),
    ],
    phase: 'DELIVERED',
    alerts: [],
    check: (v) => {
      const s = v.trackings.SHIPMENT.shipment;
      assert.deepEqual([s.status, s.phase, s.message, s.trackingUrl], ['Delivered', 'DELIVERED', 'Signed by J. Doe', 'https://carrier.example/pod/1']);
    },
  },
  {
    name: 'a later scan reported after the delivery does not undo it',
    ops: [pending, ship('Delivered', day(4)), ship('InTransit', day(5))],
    phase: 'DELIVERED',
  },
  {
    name: 'EasyPost and Shippo words, a subtag',
    ops: [pending, ship('pre_transit', day(2)), ship('TRANSIT', day(3)), ship('Delivered_001', day(5))],
    phase: 'DELIVERED',
  },
  {
    name: 'a production exception that production recovered from (reported late)',
    ops: [
      op('PRODUCE', 'order-1', 'PENDING', P, { end: day(3), details: { status: 'CARD_PROD_EXCEPTION' } }),
      op('PRODUCE', 'order-1', 'SUCCESSFUL', P, { end: day(2), details: { status: 'CARD_SHIPPED' } }),
    ],
    phase: 'SHIPPED',
    check: (v) => assert.equal(v.trackings.PRODUCE.detailsStatus, 'CARD_SHIPPED'),
  },
  {
    name: 'a failed RETURN echoing CARD_RETURNED on a delivered card',
    ops: [pending, ship('Delivered', day(5)),
      op('RETURN', 'ret-1', 'FAILED', day(6), { end: day(6, 12), details: { status: 'CARD_RETURNED' }, errorCode: 'NOT_FOUND', error: 'no return found' })],
    phase: 'DELIVERED',
    alerts: [alert('RETURN', 'OPERATION_FAILED', 'ret-1', 'NOT_FOUND', 'no return found')],
  },
  {
    name: 'a FAILED update between two successful ones',
    ops: [pending, ship('InTransit', day(3)),
      op('SHIPMENT', 'ship-1', 'FAILED', S, { end: day(4), shipment: ups('Exception'), errorCode: 'LOST' }),
      ship('Delivered', day(6))],
    phase: 'DELIVERED',
    alerts: [alert('SHIPMENT', 'OPERATION_FAILED', 'ship-1', 'LOST'), alert('SHIPMENT', 'CONFLICT', 'ship-1')],
  },
  {
    name: 'cancelled, then re-ordered',
    ops: [
      op('PRODUCE', 'order-1', 'SUCCESSFUL', day(1), { end: day(2), details: { status: 'CARD_PROD_CANCELED' } }),
      op('PRODUCE', 'order-2', 'PENDING', day(3), { details: { status: 'CARD_PROD_ONGOING' } }),
    ],
    phase: 'IN_PRODUCTION',
  },
  {
    name: 'cancelled',
    ops: [
      op('PRODUCE', 'order-1', 'PENDING', day(1), { details: { status: 'CARD_PROD_REQUESTED' } }),
      op('PRODUCE', 'order-1', 'SUCCESSFUL', day(1), { end: day(2), details: { status: 'CARD_PROD_CANCELED' } }),
    ],
    phase: 'CANCELED',
  },
  {
    name: 'returned (dated), then shipped again and in transit',
    ops: [
      pending, ship('Delivered', day(3)),
      op('RETURN', 'ret-1', 'SUCCESSFUL', day(5), { end: day(9), details: { status: 'CARD_RETURNED' } }),
      op('SHIPMENT', 'ship-2', 'SUCCESSFUL', day(6), { end: day(7), shipment: { carrier: 'dhl', trackingNumber: 'JD0002', status: 'InTransit' } }),
    ],
    phase: 'IN_TRANSIT',
  },
  {
    name: 'returned, re-shipment requested but not reported yet',
    ops: [
      pending, ship('Delivered', day(3)),
      op('RETURN', 'ret-1', 'SUCCESSFUL', day(5), { end: day(9), details: { status: 'CARD_RETURNED' } }),
      op('SHIPMENT', 'ship-2', 'PENDING', day(6)),
    ],
    phase: 'RETURNED',
  },
  {
    name: 'a carrier event of a returned trip reported after the return',
    ops: [
      pending, ship('Delivered', day(10)),
      op('RETURN', 'ret-1', 'SUCCESSFUL', day(5), { end: day(9), details: { status: 'CARD_RETURNED' } }),
    ],
    phase: 'RETURNED',
    alerts: [alert('SHIPMENT', 'AMBIGUOUS_ORDER', 'ship-1')],
  },
  {
    name: 're-shipped as a new parcel: a late event of the first parcel does not outrank it',
    ops: [
      pending, ship('InTransit', day(3)), ship('Delivered', day(9)),
      op('SHIPMENT', 'ship-2', 'SUCCESSFUL', day(6), { end: day(7), shipment: { carrier: 'dhl', trackingNumber: 'JD0002', status: 'InTransit' } }),
    ],
    phase: 'IN_TRANSIT',
  },
  {
    name: 'a failed request and no fact',
    ops: [op('RETURN', 'ret-1', 'FAILED', day(2), { end: day(2, 10), errorCode: 'CARD_NOT_FOUND' })],
    phase: 'FAILED',
    alerts: [alert('RETURN', 'OPERATION_FAILED', 'ret-1', 'CARD_NOT_FOUND')],
  },
  {
    name: 'a shipment pending, no fact yet',
    ops: [pending],
    phase: 'TRACKING',
    alerts: [],
  },
  {
    name: 'numbers where codes are expected',
    raw: true,
    ops: [
      '{"operationId":"ship-1","operation":"STANDALONE_TRACKING","status":"SUCCESSFUL","startTime":"2026-03-01T10:00:00.000Z","endTime":"2026-03-03T09:00:00.000Z","cardId":"card-0001","details":{"trackingType":"SHIPMENT","shipment":{"carrier":"fedex","trackingNumber":7946123456789012345678,"status":"InTransit","weight":1.50}}}',
      '{"operationId":"ret-1","operation":"STANDALONE_TRACKING","status":"FAILED","startTime":"2026-03-04T10:00:00.000Z","cardId":"card-0001","errorCode":404,"issuerRequestId":12345,"details":{"trackingType":"RETURN"}}',
    ],
    phase: 'IN_TRANSIT',
    alerts: [alert('RETURN', 'OPERATION_FAILED', 'ret-1', '404')],
    check: (v) => {
      assert.equal(v.trackings.SHIPMENT.shipment.trackingNumber, '7946123456789012345678');
      assert.deepEqual(v.trackings.SHIPMENT.shipment.extra, { weight: 1.5 });
      assert.equal(v.trackings.RETURN.issuerRequestId, '12345');
    },
  },
];

function* permutations(xs) {
  if (xs.length <= 1) { yield xs; return; }
  for (let i = 0; i < xs.length; i++) {
    for (const rest of permutations([...xs.slice(0, i), ...xs.slice(i + 1)])) yield [xs[i], ...rest];
  }
}
let seed = 7;
const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
function shuffled(xs) {
  const a = xs.slice();
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [a[i], a[j]] = [a[j], a[i]];
  }
  return a;
}

const peers = { plain: () => new PlainTracker(), xstate: makeXStateTracker };
let runs = 0;
for (const h of histories) {
  const texts = h.raw ? h.ops : h.ops.map((o) => JSON.stringify(o));
  const orders = texts.length <= 6 ? [...permutations(texts)]
    : [texts, ...Array.from({ length: 60 }, () => shuffled([...texts, ...texts.slice(0, 2)]))];
  let reference = null;
  for (const [name, make] of Object.entries(peers)) {
    const runsOf = [...orders.map((order) => order.map((t) => `{"operations":[${t}]}`)), [`{"operations":[${texts.join(',')}]}`]];
    for (const bodies of runsOf) {
      const t = make();
      for (const b of bodies) {
        const outcomes = t.apply(Buffer.from(b)).operations;
        for (const o of outcomes) assert.ok(o.outcome !== 'rejected' && o.outcome !== 'ignored', `${h.name}: ${JSON.stringify(o)}`);
      }
      const views = t.cardsView();
      const text = canonical(views);
      if (reference === null) {
        reference = text;
        const v = views[0];
        try {
          assert.equal(v.phase, h.phase);
          if (h.alerts) assert.deepEqual(v.alerts, h.alerts);
          h.check?.(v);
        } catch (e) {
          console.error(`${h.name} (${name}):\n${JSON.stringify(v, null, 2)}`);
          throw e;
        }
      } else {
        assert.equal(text, reference, `${h.name}: ${name} differs (order ${bodies.length} bodies)`);
      }
      runs++;
    }
  }
  console.log(`ok  ${h.phase.padEnd(20)} ${h.name}`);
}
console.log(`${histories.length} histories, ${runs} folds: the two peers agree, and with the expected phases`);
