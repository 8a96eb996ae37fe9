// A small TypeScript consumer of the package: `tsc --noEmit` must accept it
// with `strict` (package.test.mjs compiles it against the installed tarball).
import {
  Tracker,
  buildTrackCardRequest,
  buildStatusQuery,
  PRODUCTION_BASE_URL,
  type Alert,
  type ApplyReport,
  type CardUpdate,
  type Change,
  type Kind,
  type RowInput,
  type RowsFold,
  type CardView,
  D1TrackingError,
  type DueTracking,
  type HttpRequest,
  type OperationView,
  type Phase,
  type TrackingView,
} from 'd1-tracking';

const tracker: Tracker = new Tracker({ maxCards: 1_000, maxBodyBytes: 512 * 1024 });
const body: Uint8Array = new TextEncoder().encode('{"operations":[]}');
const report: ApplyReport = tracker.apply(body, Date.now());
for (const op of report.operations) {
  if (op.outcome === 'applied') {
    for (const change of op.changes) {
      const where: string = change.trackingType ?? 'card';
      console.log(where, change.field, change.old, change.new);
    }
  } else if (op.outcome === 'rejected' && op.error !== null) {
    const path: string | null = op.error.path;
    console.log(op.error.code, path);
  }
}

const view: CardView | undefined = tracker.card('card-0001');
if (view !== undefined) {
  const phase: Phase = view.phase;
  const shipment: TrackingView | undefined = view.trackings.SHIPMENT;
  const carrier: string | null | undefined = shipment?.shipment?.carrier;
  console.log(phase, carrier, shipment?.shipment?.phase);
}
const all: OperationView[] = tracker.operations('card-0001') ?? [];
console.log(all.map((o) => `${o.trackingType}:${o.operationId}:${o.current}`));

tracker.recordRequest('card-0001', 'SHIPMENT', Date.now());
const due: DueTracking[] = tracker.dueForReconciliation(Date.now(), 24 * 3_600_000);
console.log(due.map((d) => `${d.cardId} ${d.reason} ${d.sinceMs}`));

const call: HttpRequest = buildTrackCardRequest({
  issuerId: 'ISSUER0001',
  cardId: 'card-0001',
  trackingType: 'RETURN',
  extraFields: { reason: 'lost', attempts: [1, 2] },
});
const headers = new Map<string, string>(call.headers);
console.log(`${PRODUCTION_BASE_URL}${call.path}`, headers.get('content-type'), call.body);
const query: HttpRequest = buildStatusQuery({ issuerId: 'ISSUER0001', cardId: 'card-0001', correlationId: 'c-1' });
const method: 'POST' | 'GET' = query.method;
console.log(method, query.path);

const copy = new Tracker();
copy.restore(tracker.snapshot());
copy.merge(tracker);
const row: string | undefined = copy.exportCard('card-0001');
if (row !== undefined) copy.importCard(row);
console.log(copy.size, copy.cardIds());

try {
  tracker.apply('not json');
} catch (e) {
  if (!(e instanceof D1TrackingError)) throw e;
  const error: D1TrackingError = e;
  console.log(error.code, error.path, error.message);
}
// The host path: rows in the host's database.
const touched: string[] = tracker.cardsOfBody('{"operations":[]}');
const folded: RowsFold = tracker.foldRows('{"operations":[]}', touched.map((cardId): RowInput => ({ cardId, row: null })));
for (const update of folded.cards) {
  const outbox: Change[] = update.changes;
  console.log(update.cardId, update.row.length, update.view.phase, outbox.length);
}
const requested: CardUpdate = tracker.recordRequestOnRow({ cardId: 'card-0009', row: null }, 'PRODUCE', 0);
const alerts: Alert[] = requested.view.alerts;
const page: CardView[] = tracker.cardsPage(undefined, 10);
const pieces: string[] = [...tracker.snapshotChunks(100)];
copy.restoreChunks(pieces);
const evicted: string | undefined = copy.evict('card-0001');
copy.clear();
const bytes: number = tracker.stateBytes;
const kind: Kind = 'UNTYPED';
console.log(alerts.length, page.length, evicted, bytes, kind);
copy.free();
tracker.free();
