// The small bodies the route and fault tests send, and where they go.

/** The issuer every test's receiver serves. */
export const ISSUER = 'ISSUER0001';
/** D1's notification route for ISSUER. */
export const NOTIFY = `/notifications/d1/v2/issuers/${ISSUER}/cards`;

/** A body of one PENDING shipment notification for `cardId`. */
export const pending = (cardId, operationId = `op-${cardId}`) => JSON.stringify({ operations: [{
  operationId, operation: 'STANDALONE_TRACKING', status: 'PENDING',
  startTime: '2026-03-02T09:00:00.000Z', cardId, details: { trackingType: 'SHIPMENT' },
}] });
