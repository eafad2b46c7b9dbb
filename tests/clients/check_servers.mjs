// check_servers.mjs: the servers the client and browser suites start are
// stopped when they do not come up, so a failed set-up leaves none running.
// A stand-in "zek" writes its pid and sleeps without listening.
// usage: tests/node/run tests/clients/check_servers.mjs   Prints 'N passed, N failed' last.
import '../node/check.mjs';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer as clientServer } from './server.mjs';
import { startServer as browserServer } from '../browser/lib.mjs';

const dir = mkdtempSync(join(tmpdir(), 'zek-check-servers-'));
const fake = join(dir, 'fake-zek');
writeFileSync(fake, '#!/bin/sh\necho $$ > "$FAKE_PIDFILE"\nexec sleep 600\n');
chmodSync(fake, 0o755);

function alive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

let passed = 0;
let failed = 0;
for (const [name, start] of [['clients', clientServer], ['browser', browserServer]]) {
  process.env.FAKE_PIDFILE = join(dir, `${name}.pid`);
  let error = null;
  try {
    await start(fake, { startMs: 1000 });
  } catch (e) {
    error = e;
  }
  const pid = Number(readFileSync(process.env.FAKE_PIDFILE, 'utf8'));
  if (error && /did not start/.test(error.message) && !alive(pid)) {
    passed += 1;
    console.log(`ok   ${name}: a server that does not come up is stopped`);
  } else {
    failed += 1;
    console.log(`FAIL ${name}: a server that does not come up is stopped `
      + `(error: ${error && error.message.split('\n')[0]}, pid ${pid} ${alive(pid) ? 'still running' : 'gone'})`);
    if (alive(pid)) process.kill(pid, 'SIGKILL');
  }
}
rmSync(dir, { recursive: true, force: true });
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
