// Shared pieces of the browser tests: a real `zek serve`, Debian's Chromium through
// playwright-core, screenshots, axe-core checks and a small sequential test runner.
import { execFileSync, spawn } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { deflateSync } from 'node:zlib';

export const HERE = dirname(fileURLToPath(import.meta.url));
export const ROOT = resolve(HERE, '..', '..');
// Templates, static files and catalogs the server reads (another tree, e.g. to check a test fails).
const SERVE_ROOT = process.env.ZEK_BROWSER_ROOT || ROOT;
export const PORTAL = '/servicedesk/customer/portal/17';
export const LOGIN = '/servicedesk/customer/user/login';
export const PORTALS = '/servicedesk/customer/portals';
export const REQUESTS = '/servicedesk/customer/user/requests';

const CHROMIUM = process.env.ZEK_CHROMIUM || '/usr/bin/chromium';
// Without the background-networking flags Chromium keeps dialling out into a closed network.
const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
	'--disable-background-networking', '--disable-component-update', '--disable-sync'];
const AXE_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];

/* ---------- zek serve ---------- */

function freePort() {
	return new Promise((ok, fail) => {
		const s = createServer();
		s.once('error', fail);
		s.listen(0, '127.0.0.1', () => {
			const { port } = s.address();
			s.close(() => ok(port));
		});
	});
}

function canConnect(port) {
	return new Promise((ok) => {
		const c = createConnection({ host: '127.0.0.1', port });
		c.once('connect', () => { c.destroy(); ok(true); });
		c.once('error', () => ok(false));
	});
}

const sleep = (ms) => new Promise((ok) => setTimeout(ok, ms));

// A zek serve with the demo data in a fresh database of its own; startMs: how
// long it may take to listen before it is stopped.
export async function startServer(binary, { startMs = 60000 } = {}) {
	const dir = mkdtempSync(join(tmpdir(), 'zek-browser-'));
	const port = await freePort();
	const logPath = join(dir, 'server.log');
	const log = openSync(logPath, 'w');
	const proc = spawn(binary, ['serve', '--listen', `127.0.0.1:${port}`, '--db', join(dir, 'zek.db'),
		'--root', SERVE_ROOT, '--threads', '4', '--demo'], {
		stdio: ['ignore', log, log],
		// Sign-up on for the demo's domain, as an operator would set it.
		env: { ...process.env, ZEK_SIGNUP: 'domains', ZEK_SIGNUP_DOMAINS: 'example.org' },
	});
	let exited = null;
	proc.on('exit', (code, signal) => { exited = { code, signal }; });
	const readLog = () => readFileSync(logPath, 'utf8');
	const server = {
		port,
		base: `http://127.0.0.1:${port}`,
		// Runs a zek command on the server's database (links it prints
		// point at this server); returns its standard output.
		zek(...args) {
			return server.zekWith(undefined, ...args);
		},
		// The same with `input` on its standard input (`zek mail receive`).
		zekWith(input, ...args) {
			return execFileSync(binary, [...args, '--db', join(dir, 'zek.db')], {
				env: { ...process.env, ZEK_BASE_URL: `http://127.0.0.1:${port}` },
				encoding: 'utf8',
				input,
			});
		},
		// Stops the server; returns its log, which must hold no sanitizer report.
		async stop() {
			if (!exited) {
				proc.kill('SIGTERM');
				for (let i = 0; i < 200 && !exited; i += 1)
					await sleep(100);
				if (!exited) {
					proc.kill('SIGKILL');
					while (!exited)
						await sleep(50);
				}
			}
			closeSync(log);
			const text = readLog();
			rmSync(dir, { recursive: true, force: true });
			return { text, exited };
		},
	};
	// A server that does not come up is stopped too: none outlives the run.
	const deadline = Date.now() + startMs;
	while (!(await canConnect(port))) {
		const why = exited ? `zek exited (${JSON.stringify(exited)})` : Date.now() > deadline && 'zek did not start';
		if (why) {
			const { text } = await server.stop();
			throw new Error(`${why}:\n${text}`);
		}
		await sleep(100);
	}
	return server;
}

/* ---------- Test data ---------- */

const CRC_TABLE = (() => {
	const table = new Uint32Array(256);
	for (let n = 0; n < 256; n += 1) {
		let c = n;
		for (let k = 0; k < 8; k += 1)
			c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
		table[n] = c >>> 0;
	}
	return table;
})();

function crc32(buf) {
	let c = 0xffffffff;
	for (const b of buf)
		c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
	return (c ^ 0xffffffff) >>> 0;
}

function chunk(type, data) {
	const len = Buffer.alloc(4);
	len.writeUInt32BE(data.length);
	const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
	const crc = Buffer.alloc(4);
	crc.writeUInt32BE(crc32(body));
	return Buffer.concat([len, body, crc]);
}

// A real RGB PNG of w x h pixels: two coloured halves, so a thumbnail has something to show.
export function makePng(w = 64, h = 48) {
	const ihdr = Buffer.alloc(13);
	ihdr.writeUInt32BE(w, 0);
	ihdr.writeUInt32BE(h, 4);
	ihdr[8] = 8;   // bit depth
	ihdr[9] = 2;   // truecolour
	const raw = Buffer.alloc((w * 3 + 1) * h);
	for (let y = 0; y < h; y += 1) {
		const row = y * (w * 3 + 1);
		for (let x = 0; x < w; x += 1) {
			const p = row + 1 + x * 3;
			raw[p] = x < w / 2 ? 0x1d : 0xd4;
			raw[p + 1] = x < w / 2 ? 0x70 : 0x35;
			raw[p + 2] = x < w / 2 ? 0xb8 : 0x1c;
		}
	}
	return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
		chunk('IHDR', ihdr), chunk('IDAT', deflateSync(raw)), chunk('IEND', Buffer.alloc(0))]);
}

/* ---------- Assertions ---------- */

export class Failure extends Error {}

export function check(cond, message) {
	if (!cond)
		throw new Failure(message);
}

export function eq(actual, expected, what) {
	if (actual !== expected)
		throw new Failure(`${what}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`);
}

/* ---------- Runner ---------- */

const tests = [];

// id: short, for the command line and the screenshots' names.
export function test(id, name, fn, opts = {}) {
	tests.push({ id, name, fn, timeout: opts.timeout || 120000 });
}

function slug(s) {
	return s.toLowerCase().replace(/[äöüß]/g, (c) => ({ ä: 'ae', ö: 'oe', ü: 'ue', ß: 'ss' })[c])
		.replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '').slice(0, 60);
}

function formatViolations(label, violations) {
	const lines = [`axe: ${violations.length} violation(s) on ${label}`];
	for (const v of violations) {
		lines.push(`  - ${v.id} [${v.impact}] ${v.help} (${v.helpUrl})`);
		for (const n of v.nodes.slice(0, 8))
			lines.push(`      target ${JSON.stringify(n.target)}: ${(n.summary || '').replace(/\s+/g, ' ').slice(0, 300)}`);
		if (v.nodes.length > 8)
			lines.push(`      ... and ${v.nodes.length - 8} more`);
	}
	return lines.join('\n');
}

// What one test gets: fresh browser contexts, screenshots and axe, bound to the server.
class TestContext {
	constructor(run, index, id) {
		this.run = run;
		this.server = run.server;
		this.prefix = `${String(index + 1).padStart(2, '0')}-${id}`;
		this.step = 0;
		this.contexts = [];
		this.started = Date.now();
		this.problems = [];     // axe violations, page errors: reported together at the end
	}

	url(path) {
		return this.server.base + path;
	}

	// A new browser (context): own cookies, German, CSP enforced as the server sends it.
	async context(opts = {}) {
		const ctx = await this.run.browser.newContext({
			locale: 'de-DE',
			viewport: { width: 1280, height: 900 },
			...opts,
		});
		ctx.setDefaultTimeout(10000);
		ctx.setDefaultNavigationTimeout(20000);
		ctx.on('page', (page) => this.watch(page));
		this.contexts.push(ctx);
		return ctx;
	}

	async page(opts = {}) {
		const ctx = await this.context(opts);
		return ctx.newPage();
	}

	// Uncaught exceptions and CSP violations are errors of the page under test.
	watch(page) {
		page.on('pageerror', (err) => this.problems.push(`page error on ${page.url()}: ${err.message}`));
		page.on('console', (msg) => {
			if (msg.type() === 'error' && /Content Security Policy/i.test(msg.text()))
				this.problems.push(`CSP violation on ${page.url()}: ${msg.text()}`);
		});
	}

	// A step: what the window shows (the last action scrolled its target into view).
	// full: the whole page, for results and the pages axe checks.
	async shot(page, label, { full = false } = {}) {
		this.step += 1;
		const file = join(this.run.artifacts, `${this.prefix}-${String(this.step).padStart(2, '0')}-${slug(label)}.png`);
		const t0 = Date.now();
		await page.screenshot({ path: file, fullPage: full });
		this.run.shotMs += Date.now() - t0;
		if (process.env.ZEK_BROWSER_VERBOSE)
			console.log(`    ${((Date.now() - this.started) / 1000).toFixed(1)} s: ${label}`);
		return file;
	}

	// axe-core over the page as it is now. The script goes in through the DevTools
	// protocol, which the page's CSP (script-src 'self') does not govern, so the flows
	// keep running under the real CSP. Violations are collected and fail the test at its end.
	async axe(page, label) {
		if (!this.run.axeSource)
			this.run.axeSource = readFileSync(join(HERE, 'node_modules', 'axe-core', 'axe.min.js'), 'utf8');
		await this.shot(page, `axe ${label}`, { full: true });
		if (!(await page.evaluate(() => typeof window.axe === 'object')))
			await page.evaluate(this.run.axeSource);
		const t0 = Date.now();
		const violations = await page.evaluate(async (tags) => {
			const r = await window.axe.run(document, {
				runOnly: { type: 'tag', values: tags },
				resultTypes: ['violations'],
			});
			return r.violations.map((v) => ({
				id: v.id,
				impact: v.impact,
				help: v.help,
				helpUrl: v.helpUrl,
				nodes: v.nodes.map((n) => ({ target: n.target, summary: n.failureSummary })),
			}));
		}, AXE_TAGS);
		this.run.axePages += 1;
		this.run.axeMs += Date.now() - t0;
		if (violations.length)
			this.problems.push(formatViolations(`${label} (${page.url()})`, violations));
	}

	async login(page, email, password = 'demo') {
		await page.goto(this.url(LOGIN));
		await page.getByLabel('E-Mail-Adresse').fill(email);
		await page.getByLabel('Passwort').fill(password);
		await page.getByRole('button', { name: 'Anmelden' }).click();
		await page.waitForLoadState();
		check(!page.url().includes(LOGIN), `login as ${email} failed: still on ${page.url()}`);
	}

	// A page of a new browser signed in as `email`. The first time through the login
	// form; later the session cookie is reused, as a browser keeps it between tabs.
	async pageAs(email, opts = {}) {
		let state = this.run.sessions.get(email);
		if (!state) {
			const page = await this.page(opts);
			await this.login(page, email);
			this.run.sessions.set(email, await page.context().storageState());
			return page;
		}
		return this.page({ ...opts, storageState: state });
	}

	async close(failed) {
		for (const ctx of this.contexts) {
			if (failed) {
				for (const page of ctx.pages()) {
					try {
						await this.shot(page, 'failed', { full: true });
					} catch (err) {
						// A page that is gone has nothing to show.
					}
				}
			}
			await ctx.close().catch(() => {});
		}
	}
}

function withTimeout(promise, ms, name) {
	let timer;
	const limit = new Promise((ok, fail) => {
		timer = setTimeout(() => fail(new Failure(`${name}: timed out after ${ms / 1000} s`)), ms);
	});
	return Promise.race([promise, limit]).finally(() => clearTimeout(timer));
}

const SANITIZER = /ERROR: (AddressSanitizer|LeakSanitizer)|runtime error:|SUMMARY: UndefinedBehaviorSanitizer/;

// Runs the registered tests one after the other; prints 'N passed, N failed' last.
export async function main() {
	const args = process.argv.slice(2);
	if (!args.length || args[0].startsWith('-')) {
		console.error('usage: node tests/browser/run.mjs PATH/TO/zek [TEST-ID ...]');
		return 2;
	}
	const binary = resolve(args[0]);
	const filters = args.slice(1).map((s) => s.toLowerCase());
	if (!existsSync(binary)) {
		console.error(`no zek binary at ${binary}`);
		return 2;
	}
	if (!existsSync(join(HERE, 'node_modules', 'playwright-core')) || !existsSync(join(HERE, 'node_modules', 'axe-core'))) {
		console.error('tests/browser/node_modules is missing: run `make deps` (or `npm ci` in tests/browser)');
		return 2;
	}
	if (!existsSync(CHROMIUM)) {
		console.error(`no Chromium at ${CHROMIUM}: run \`make deps\` (Debian package chromium)`);
		return 2;
	}
	const selected = tests.filter((t) => !filters.length || filters.includes(t.id));
	if (!selected.length) {
		console.error(`no test ${filters.join(', ')}; the tests:\n${tests.map((t) => `  ${t.id.padEnd(10)} ${t.name}`).join('\n')}`);
		return 2;
	}

	// Screenshots go beside the binary, i.e. into the build folder.
	const artifacts = join(dirname(binary), 'browser-artifacts');
	rmSync(artifacts, { recursive: true, force: true });
	mkdirSync(artifacts, { recursive: true });

	const { chromium } = await import('playwright-core');
	const started = Date.now();
	const run = { artifacts, axePages: 0, axeSource: null, sessions: new Map(), shotMs: 0, axeMs: 0 };
	run.server = await startServer(binary);
	let passed = 0;
	let failed = 0;
	try {
		// playwright-core gives every launch a fresh, empty user-data-dir of its own.
		run.browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
		console.log(`zek on ${run.server.base}, Chromium ${run.browser.version()}, screenshots in ${artifacts}`);
		for (const [i, t] of selected.entries()) {
			const ctx = new TestContext(run, tests.indexOf(t), t.id);
			const t0 = Date.now();
			let error = null;
			try {
				await withTimeout(t.fn(ctx), t.timeout, t.name);
			} catch (err) {
				error = err;
			}
			if (!error && ctx.problems.length)
				error = new Failure(ctx.problems.join('\n'));
			else if (error && ctx.problems.length)
				error.message += `\n${ctx.problems.join('\n')}`;
			await ctx.close(Boolean(error));
			const secs = ((Date.now() - t0) / 1000).toFixed(1);
			if (error) {
				failed += 1;
				console.log(`not ok ${i + 1} - ${t.id}: ${t.name} (${secs} s)`);
				let text = error instanceof Error ? error.message : String(error);
				if (!(error instanceof Failure) && error instanceof Error && error.stack) {
					// Where in the tests it happened, without the runner's own frames.
					const at = error.stack.split('\n').filter((l) => /^\s+at .*run\.mjs/.test(l));
					text += `\n${at.join('\n')}`;
				}
				console.log(text.split('\n').map((l) => `    ${l}`).join('\n'));
			} else {
				passed += 1;
				console.log(`ok ${i + 1} - ${t.id}: ${t.name} (${secs} s)`);
			}
		}
	} finally {
		if (run.browser)
			await run.browser.close();
		const { text } = await run.server.stop();
		writeFileSync(join(artifacts, 'server.log'), text);
		if (SANITIZER.test(text)) {
			failed += 1;
			console.log('not ok - zek serve reported a sanitizer error (server.log in the artefacts):');
			console.log(text.split('\n').filter((l) => SANITIZER.test(l)).slice(0, 20).join('\n'));
		}
	}
	const secs = (ms) => (ms / 1000).toFixed(1);
	console.log(`axe checked ${run.axePages} page state(s) in ${secs(run.axeMs)} s; screenshots took ${secs(run.shotMs)} s; ${secs(Date.now() - started)} s in all`);
	console.log(`${passed} passed, ${failed} failed`);
	return failed ? 1 : 0;
}
