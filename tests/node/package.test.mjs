// The packed tarball, installed into an empty folder as a user would: works
// from CommonJS and ESM, its types compile a strict TypeScript consumer, and
// the wasm module imports nothing but wasm-bindgen's own glue.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pkgDir, root } from './helpers.mjs';

const tarballs = readdirSync(join(root, 'bindings-wasm')).filter((f) => /^d1-tracking-.*\.tgz$/.test(f));
const body = readFileSync(join(root, 'core', 'examples', 'data', 'sample-log.jsonl'), 'utf8').split('\n')[0];
const check = (importLine) => `${importLine}
const t = new Tracker();
const r = t.apply(${JSON.stringify(body)}, 1);
if (r.operations[0].outcome !== 'applied') throw new Error('not applied');
const call = buildTrackCardRequest({ issuerId: 'ISSUER0001', cardId: 'card-0001', trackingType: 'SHIPMENT' });
const query = buildStatusQuery({ issuerId: 'ISSUER0001', cardId: 'card-0001' });
console.log(t.card('card-0001').phase, call.method, query.method, query.path);
t.free();`;

test('the tarball installs into an empty folder and works from CommonJS, ESM and TypeScript', () => {
  assert.equal(tarballs.length, 1, 'one packed tarball (bindings-wasm/build.sh)');
  const dir = mkdtempSync(join(tmpdir(), 'd1-tracking-consumer-'));
  try {
    writeFileSync(join(dir, 'package.json'), '{"private":true}\n');
    execFileSync('npm', ['install', '--no-audit', '--no-fund', '--silent', join(root, 'bindings-wasm', tarballs[0])], { cwd: dir });
    const cjs = execFileSync('node', ['-e', check("const { Tracker, buildTrackCardRequest, buildStatusQuery } = require('d1-tracking');")], { cwd: dir, encoding: 'utf8' });
    assert.equal(cjs.trim(), 'SHIPPED POST GET /issuers/ISSUER0001/physicalCards/card-0001/productionStatus');
    const esm = execFileSync('node', ['--input-type=module', '-e', check("import { Tracker, buildTrackCardRequest, buildStatusQuery } from 'd1-tracking';")], { cwd: dir, encoding: 'utf8' });
    assert.equal(esm.trim(), 'SHIPPED POST GET /issuers/ISSUER0001/physicalCards/card-0001/productionStatus');
    const installed = JSON.parse(readFileSync(join(dir, 'node_modules', 'd1-tracking', 'package.json'), 'utf8'));
    const crate = readFileSync(join(root, 'Cargo.toml'), 'utf8').match(/^version = "([^"]+)"/m)[1];
    assert.equal(installed.version, crate, 'package version is the crate version');
    // The strict TypeScript consumer, against the installed package's types.
    copyFileSync(join(root, 'tests', 'node', 'types', 'consumer.ts'), join(dir, 'consumer.ts'));
    copyFileSync(join(root, 'tests', 'node', 'types', 'tsconfig.json'), join(dir, 'tsconfig.json'));
    const tsc = join(root, 'tests', 'node', 'node_modules', 'typescript', 'bin', 'tsc');
    execFileSync('node', [tsc, '-p', dir], { cwd: dir, encoding: 'utf8' });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the declarations say `any` nowhere', () => {
  const code = readFileSync(join(pkgDir, 'index.d.ts'), 'utf8').replace(/\/\*[\s\S]*?\*\/|\/\/.*$/gm, '');
  assert.match(code, /export declare class Tracker/);
  assert.doesNotMatch(code, /\bany\b/);
});

test('the wasm module imports only wasm-bindgen glue', () => {
  const module = new WebAssembly.Module(readFileSync(join(pkgDir, 'wasm', 'd1_tracking_wasm_bg.wasm')));
  const imports = WebAssembly.Module.imports(module);
  assert.ok(imports.length > 0);
  for (const { module: from, name } of imports) {
    assert.equal(from, './d1_tracking_wasm_bg.js', `${name} comes from ${from}`);
    assert.match(name, /^__wbg|^__wbindgen_/, name);
  }
});
