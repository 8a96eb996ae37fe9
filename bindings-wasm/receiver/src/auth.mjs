// Who may call a listener (README, "Authentication"): static bearer tokens,
// compared in constant time, and JWTs verified against the bank's key set
// with `jose`. A listener whose operator stated `proxy` checks nothing here.
import { createHash, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';

import { createLocalJWKSet, createRemoteJWKSet, errors, jwtVerify } from 'jose';

import { ConfigError } from './config.mjs';

/** Why a call was not let through: 401 (no or a wrong credential) or 503 (the key set could not be fetched). */
export class Denied {
  constructor(status, code, message) {
    this.status = status;
    this.code = code;
    this.message = message;
  }
}

// The scheme is case-insensitive (RFC 9110 11.1); one token after it.
const BEARER = /^bearer[ \t]+([\x21-\x7e]+)[ \t]*$/i;
// A JWS in compact form: three base64url parts.
const COMPACT_JWS = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;

const digest = (text) => createHash('sha256').update(text).digest();

/**
 * An authenticator: `check(req)` resolves to null when the call may pass,
 * else to a Denied. `tokens` are static bearer tokens; `jwt` the settings of
 * config.mjs's jwtSettings (or null); `proxy` true when a proxy in front has
 * verified the caller already.
 */
export function createAuthenticator({ proxy = false, tokens = [], jwt = null, realm }) {
  if (proxy) return { check: async () => null };
  // Digests have one length whatever the token's, so comparing them leaks
  // no length; every token is compared, so the time says not which matched.
  const expected = tokens.map(digest);
  const keys = jwt === null ? null : keySet(jwt);
  const challenge = `Bearer realm="${realm}"`;
  const unauthorized = (message) => new Denied(401, 'UNAUTHORIZED', message);

  const check = async (req) => {
    const match = BEARER.exec(req.headers.authorization ?? '');
    if (match === null) return unauthorized('a valid Authorization: Bearer credential is required');
    const given = digest(match[1]);
    let found = false;
    for (const e of expected) found = timingSafeEqual(given, e) || found;
    if (found) return null;
    if (keys === null || !COMPACT_JWS.test(match[1])) return unauthorized('the bearer credential is not accepted');
    try {
      await jwtVerify(match[1], keys, {
        issuer: jwt.issuer,
        audience: jwt.audience,
        algorithms: jwt.algorithms,
        clockTolerance: jwt.clockSkewS,
        requiredClaims: ['exp'],
      });
      return null;
    } catch (err) {
      if (err instanceof errors.JWKSTimeout || !(err instanceof errors.JOSEError)) {
        // The bank's key endpoint did not answer: the token may be good, so
        // D1 is asked to send again rather than told it is refused.
        return new Denied(503, 'KEYS_UNAVAILABLE', `the key set could not be fetched: ${err.message}`);
      }
      return unauthorized(`the bearer token is not accepted: ${err.code}`);
    }
  };
  return { check, challenge };
}

/** The key set a JWT is verified against: a JWKS file read once at start, or a URL fetched and cached by jose. */
function keySet(jwt) {
  if (jwt.jwksFile !== null) {
    try {
      return createLocalJWKSet(JSON.parse(readFileSync(jwt.jwksFile, 'utf8')));
    } catch (err) {
      throw new ConfigError('JWKS_FILE', `expected a readable JSON Web Key Set: ${err.message}`);
    }
  }
  return createRemoteJWKSet(new URL(jwt.jwksUrl), { timeoutDuration: 5_000, cooldownDuration: 30_000 });
}
