// The receiver's counters and histograms (README, "What to monitor"), kept
// with prom-client in each worker's default registry and summed across the
// workers by the primary (prom-client's AggregatorRegistry, over the cluster's
// IPC channel). A worker asked for /metrics asks the primary for the sum, so
// every scrape shows the whole receiver, whichever worker answers it.
import cluster from 'node:cluster';
import { randomUUID } from 'node:crypto';

import client from 'prom-client';

const ASK = 'd1t:metrics';
const ANSWER = 'd1t:metrics-answer';
/** How long a worker waits for the primary's sum (the primary waits for every worker). */
const ASK_TIMEOUT_MS = 8000;

const SECONDS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

// A worker answers the primary's requests for its metrics once an
// AggregatorRegistry exists in it (prom-client adds its listener then).
if (cluster.isWorker) new client.AggregatorRegistry();

/** A worker's metrics, in the default registry the primary aggregates. */
export const workerMetrics = {
  requests: new client.Counter({
    name: 'd1t_requests_total', help: 'Requests answered, by listener, route and status.',
    labelNames: ['listener', 'route', 'status'],
  }),
  duration: new client.Histogram({
    name: 'd1t_request_duration_seconds', help: 'Time to answer a request, by listener and route.',
    labelNames: ['listener', 'route'], buckets: SECONDS,
  }),
  librarySeconds: new client.Counter({
    name: 'd1t_library_seconds_total', help: 'Time spent inside d1-tracking (the fold), summed over requests.',
  }),
  databaseSeconds: new client.Counter({
    name: 'd1t_database_seconds_total', help: 'Time spent in database calls, summed over requests.',
  }),
  delivered: new client.Counter({
    name: 'd1t_outbox_delivered_total', help: 'Outbox rows handed to the callback and marked done.',
  }),
  deliveryFailures: new client.Counter({
    name: 'd1t_outbox_delivery_failures_total', help: 'Outbox rows whose delivery failed (each attempt).',
  }),
  parked: new client.Counter({
    name: 'd1t_outbox_parked_total', help: 'Card queues parked after OUTBOX_MAX_ATTEMPTS failed deliveries.',
  }),
};

/** The primary's own metrics (not in the workers' sum). */
export function primaryMetrics() {
  const registry = new client.Registry();
  const restarts = new client.Counter({
    name: 'd1t_worker_restarts_total', help: 'Workers that died and were started again.', registers: [registry],
  });
  const aggregator = new client.AggregatorRegistry();
  // A worker's question: the sum of every worker's metrics and the primary's.
  const answer = async (worker, message) => {
    if (message?.type !== ASK) return;
    let reply;
    try {
      reply = { type: ANSWER, id: message.id, text: `${await aggregator.clusterMetrics()}${await registry.metrics()}` };
    } catch (err) {
      reply = { type: ANSWER, id: message.id, error: String(err?.message ?? err) };
    }
    if (worker.isConnected()) worker.send(reply);
  };
  cluster.on('message', (worker, message) => { answer(worker, message); });
  return { restarts };
}

/** This process's own counters as Prometheus text. */
export function localMetrics() {
  return client.register.metrics();
}

/**
 * The receiver's counters as Prometheus text: summed across the workers when
 * this process is a cluster worker, else this process's own (a receiver
 * embedded in one process). Rejects when the primary does not answer.
 */
export function processMetrics() {
  if (!cluster.isWorker || typeof process.send !== 'function') return localMetrics();
  return new Promise((resolve, reject) => {
    const id = randomUUID();
    const timer = setTimeout(() => {
      process.off('message', onMessage);
      reject(new Error(`the primary did not answer with the metrics within ${ASK_TIMEOUT_MS} ms`));
    }, ASK_TIMEOUT_MS);
    const onMessage = (message) => {
      if (message?.type !== ANSWER || message.id !== id) return;
      clearTimeout(timer);
      process.off('message', onMessage);
      if (message.error) reject(new Error(message.error));
      else resolve(message.text);
    };
    process.on('message', onMessage);
    process.send({ type: ASK, id });
  });
}
