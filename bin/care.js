#!/usr/bin/env node
// The `care` CLI entry. It runs the bundle `npm run build` makes (dist/main.js; `npm install` builds it) when that
// is newer than every file under src/, and otherwise src/main.ts as it is (Node.js 22.18 and later strip the
// types at load), so an edited source tree never runs a stale build. The bundle starts faster: one file per chunk
// instead of ~200 modules to read and strip.
import fs from 'node:fs';
import path from 'node:path';

// A server's young generation: Node 24's V8 lets each of its two semi-spaces grow to 64 MB where Node 20's stopped
// at 16 MB, which left `care serve` holding ~140 MB more RSS for the same work. The heap's size is fixed when the
// process starts, so `serve` restarts itself in place (same pid, stdio and signals) with Node 20's limit, unless
// the flag was given (on the command line or in NODE_OPTIONS). `db backup` and `db restore` too: loading the
// platform's modules alone (drizzle-orm's ESM graph leaves ~160 MB of garbage on Node 24) grew the young
// generation to its 64 MB limit, and the process kept that RSS (peak 379-387 MB against 250 MB with the limit,
// at every database size measured); the streams of a backup need a few MB of it.
const SEMI_SPACE = '--max-semi-space-size';
const SMALL_YOUNG_GENERATION = process.argv[2] === 'serve' || (process.argv[2] === 'db' && ['backup', 'restore'].includes(process.argv[3]));
if (
  SMALL_YOUNG_GENERATION && typeof process.execve === 'function' && process.platform !== 'win32' &&
  !process.execArgv.some((a) => a.startsWith(SEMI_SPACE)) && !(process.env.NODE_OPTIONS ?? '').includes(SEMI_SPACE)
) {
  process.execve(process.execPath, [process.execPath, `${SEMI_SPACE}=16`, ...process.execArgv, ...process.argv.slice(1)], process.env);
}

const root = path.resolve(import.meta.dirname, '..');
const bundle = path.join(root, 'dist/main.js');

/** The newest modification time (ms) of the files under `dir`. */
function newest(dir) {
  let max = 0;
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    max = Math.max(max, e.isDirectory() ? newest(p) : fs.statSync(p).mtimeMs);
  }
  return max;
}

function bundleIsFresh() {
  if (process.env.CARE_FROM_SOURCE === '1') return false;
  try {
    return fs.statSync(bundle).mtimeMs >= newest(path.join(root, 'src'));
  } catch {
    return false;
  }
}

// Not minified: stack traces keep function names. NODE_OPTIONS=--enable-source-maps maps them to src/ lines
// (dist/main.js.map); off by default, since it adds about 0.1 s to every start.
const { runCli } = await import(bundleIsFresh() ? bundle : new URL('../src/main.ts', import.meta.url).href);
await runCli(process.argv);
