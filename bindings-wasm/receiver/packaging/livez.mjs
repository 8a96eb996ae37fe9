#!/usr/bin/env node
// The container's health check (Dockerfile, HEALTHCHECK): exit 0 when D1's
// listener answers GET /livez with 200 within 2 s, else 1. Node itself is
// the client, since a slim image has no curl. It reads HOST and PORT as the
// receiver does, so a PORT changed at `docker run` is probed where it is.
import { loadConfig } from '../src/config.mjs';

let target;
try {
  // serving: false, since the probe needs no credentials (config.mjs).
  const { host, port } = loadConfig(process.env, { serving: false });
  // A wildcard address is reached on loopback, the probe's own host.
  const address = host === '0.0.0.0' ? '127.0.0.1' : host === '::' ? '::1' : host;
  target = `http://${address.includes(':') ? `[${address}]` : address}:${port}/livez`;
  const res = await fetch(target, { signal: AbortSignal.timeout(2000) });
  if (res.status !== 200) throw new Error(`status ${res.status}`);
  process.exit(0);
} catch (err) {
  process.stderr.write(`livez: ${target ?? 'configuration'}: ${err?.message ?? err}\n`);
  process.exit(1);
}
