// A job run every so often in a worker (reconciliation, retention).

/**
 * Runs `pass()` every `intervalMs` (0: never); a pass longer than the
 * interval is not overlapped by the next. `stop()` waits for the pass in hand.
 */
export function every(intervalMs, pass) {
  if (intervalMs === 0) return { async stop() {} };
  let running = null;
  const timer = setInterval(() => {
    if (running === null) running = pass().finally(() => { running = null; });
  }, intervalMs);
  return {
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}
