// server.mjs: a `zek serve` of its own for a client test (fresh demo
// database, free loopback port), and personal access tokens made the way a
// person makes them: signed in, on the profile page.
// The database is a file in a temporary folder; with ZEK_E2E_BACKEND=pg it
// is a fresh database on the PostgreSQL cluster ZEK_TEST_PG names, made and
// dropped as tests/e2e/zektest.py does (same name pattern, so run.py and
// zektest.drop_db know it).
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, openSync, readFileSync, closeSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const PROFILE = '/servicedesk/customer/user/profile';
const PG_PREFIX = 'zek_e2e_';
export const BACKEND = process.env.ZEK_E2E_BACKEND || 'sqlite';
let dbNumber = 0;

// Why the client tests cannot run here, or null when they can.
export function skipReason() {
  if (BACKEND !== 'sqlite' && BACKEND !== 'pg') return `ZEK_E2E_BACKEND=${BACKEND}: sqlite or pg`;
  if (BACKEND === 'pg' && !process.env.ZEK_TEST_PG) {
    return 'ZEK_E2E_BACKEND=pg needs ZEK_TEST_PG, the libpq URL of a throw-away cluster';
  }
  return null;
}

function psql(url, sql) {
  const r = spawnSync('psql', ['-X', '-q', '-v', 'ON_ERROR_STOP=1', '-d', url, '-c', sql],
    { encoding: 'utf8', timeout: 120000, env: { ...process.env, PGCONNECT_TIMEOUT: '10' } });
  if (r.status !== 0) throw new Error(`psql failed: ${r.stderr || r.error}`);
}

// A fresh database: a file in dir, or the URL of a new PostgreSQL database.
function newDb(dir) {
  if (BACKEND !== 'pg') return join(dir, 'zek.db');
  const admin = process.env.ZEK_TEST_PG;
  dbNumber += 1;
  const name = `${PG_PREFIX}${process.pid}_${dbNumber}`;
  psql(admin, `CREATE DATABASE ${name} TEMPLATE template0 ENCODING 'UTF8'`);
  const url = new URL(admin);
  url.pathname = `/${name}`;
  return url.toString();
}

// FORCE: a server that did not stop may still hold it. An autovacuum
// worker (the superuser's, which FORCE may not end) is gone within moments.
async function dropDb(db) {
  if (BACKEND !== 'pg') return;
  const name = new URL(db).pathname.slice(1);
  for (let attempt = 0; ; attempt += 1) {
    try {
      psql(process.env.ZEK_TEST_PG, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      return;
    } catch (e) {
      if (attempt === 19) throw e;
      await new Promise((r) => setTimeout(r, 500));
    }
  }
}

function freePort() {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

async function waitFor(url, proc, deadline) {
  while (Date.now() < deadline) {
    if (proc.exitCode !== null) throw new Error(`zek exited with ${proc.exitCode}`);
    try {
      await fetch(url);
      return;
    } catch {
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  throw new Error('zek did not start');
}

// startMs: how long it may take to answer /healthz before it is stopped.
export async function startServer(binary, { startMs = 60000 } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'zek-clients-'));
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const logPath = join(dir, 'server.log');
  let db;
  try {
    db = newDb(dir);
  } catch (e) {
    rmSync(dir, { recursive: true, force: true });
    throw e;
  }
  const log = openSync(logPath, 'w');
  const proc = spawn(binary, ['serve', '--listen', `127.0.0.1:${port}`, '--db', db,
    '--root', ROOT, '--threads', '2', '--demo'],
  { stdio: ['ignore', log, log], env: { ...process.env, ZEK_BASE_URL: base } });
  const server = {
    base,
    // Stops the server (on every path: a failed start too) and removes its
    // folder and database.
    async stop() {
      const exited = () => proc.exitCode !== null || proc.signalCode !== null;
      const done = exited() ? Promise.resolve() : new Promise((r) => proc.once('exit', r));
      proc.kill('SIGTERM');
      const late = setTimeout(() => proc.kill('SIGKILL'), 20000);
      await done;
      clearTimeout(late);
      closeSync(log);
      const text = readFileSync(logPath, 'utf8');
      rmSync(dir, { recursive: true, force: true });
      await dropDb(db);
      const problems = text.split('\n').filter((l) => l.includes('ERROR: AddressSanitizer') ||
        l.includes('runtime error:') || l.includes('LeakSanitizer'));
      return { code: proc.exitCode, signal: proc.signalCode, problems, log: text };
    },
  };
  try {
    await waitFor(`${base}/healthz`, proc, Date.now() + startMs);
  } catch (e) {
    const { log: text } = await server.stop();
    throw new Error(`${e.message}\n${text.slice(-3000)}`);
  }
  return server;
}

// A cookie jar just big enough for signing in.
export class Browser {
  constructor(base) {
    this.base = base;
    this.cookies = new Map();
  }

  async request(path, init = {}) {
    const headers = { ...(init.headers || {}) };
    if (this.cookies.size) headers.Cookie = [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    const r = await fetch(this.base + path, { ...init, headers, redirect: 'manual' });
    for (const c of r.headers.getSetCookie()) {
      const [pair] = c.split(';');
      const i = pair.indexOf('=');
      if (/Max-Age=0/.test(c)) this.cookies.delete(pair.slice(0, i));
      else this.cookies.set(pair.slice(0, i), pair.slice(i + 1));
    }
    return { status: r.status, text: await r.text() };
  }

  async postForm(path, fields) {
    const page = await this.request(path.startsWith('/servicedesk/customer/user/login') ? path : PROFILE);
    const csrf = /name="csrf" value="([^"]+)"/.exec(page.text)[1];
    const body = new URLSearchParams({ ...fields, csrf }).toString();
    return this.request(path, { method: 'POST', body,
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' } });
  }
}

// Signs in as `email` and creates a token on the profile page; returns the
// token the page shows once.
export async function tokenFromProfile(base, email, password = 'demo') {
  const b = new Browser(base);
  const login = await b.postForm('/servicedesk/customer/user/login', { email, password });
  if (login.status !== 303) throw new Error(`sign-in failed: ${login.status}`);
  const page = await b.request(PROFILE);
  const expires = /id="t-expires"[^>]*value="([^"]*)"/.exec(page.text)[1];
  const made = await b.postForm(`${PROFILE}/tokens`, { name: 'jira.js', expires });
  const m = /id="t-new"[^>]*value="(zek_[^"]+)"/.exec(made.text);
  if (made.status !== 200 || !m) throw new Error(`no token shown: ${made.status}`);
  return m[1];
}
