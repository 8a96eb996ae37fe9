// The bank's own code, named by a configuration variable: a module whose
// default export is the function the receiver calls (OUTBOX_MODULE's
// `deliver`, RECONCILE_MODULE's `onDue`). One that cannot be loaded stops
// the start, in the primary, before any worker serves.
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

import { ConfigError } from './config.mjs';

/** The default export of the module at `path` (relative to the working directory), a function of `signature`. */
export async function importHook(variable, path, signature) {
  let module;
  try {
    module = await import(pathToFileURL(resolve(path)).href);
  } catch (err) {
    throw new ConfigError(variable, `expected a module that can be imported: ${err.message}`);
  }
  if (typeof module.default !== 'function') {
    throw new ConfigError(variable, `expected a module whose default export is a function ${signature}`);
  }
  return module.default;
}

/**
 * Runs `fn(signal)` with a deadline: past `timeoutMs`, or when `parent`
 * aborts, `signal` aborts and the promise rejects (with an error of `code`
 * saying `what` did not finish, or with the parent's reason), whether or not
 * `fn` heeds it: a callback or hook that hangs does not hold the job that
 * called it (the outbox dispatcher, the reconciliation).
 */
export async function withDeadline(fn, { timeoutMs, parent, code, what }) {
  if (parent?.aborted) throw parent.reason;
  const controller = new AbortController();
  const abort = () => controller.abort(parent.reason ?? new Error('stopped'));
  parent?.addEventListener('abort', abort, { once: true });
  let timer;
  try {
    return await Promise.race([
      Promise.resolve().then(() => fn(controller.signal)),
      new Promise((_, reject) => {
        timer = setTimeout(() => {
          const err = new Error(`${what} did not finish within ${timeoutMs} ms`);
          err.code = code;
          controller.abort(err);
          reject(err);
        }, timeoutMs);
        controller.signal.addEventListener('abort', () => reject(controller.signal.reason), { once: true });
      }),
    ]);
  } finally {
    clearTimeout(timer);
    parent?.removeEventListener('abort', abort);
  }
}
