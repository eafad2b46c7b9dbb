// Browser and accessibility tests of zek: a person's clicks and keystrokes in Debian's
// headless Chromium against a real `zek serve`, and axe-core (WCAG 2.1 A/AA) on every
// customer page. Usage: node tests/browser/run.mjs build-test/zek [TEST-ID ...]
// (ids: login accounts pages plain create errors keyboard nojs allfields request people errorpage admin admin-catalogue admin-types admin-mail admin-calendar kept kept-nojs snippets bulk reports; screenshots land in
// build-test/browser-artifacts/)
import '../node/check.mjs';
import {
	LOGIN, PORTAL, PORTALS, REQUESTS, check, eq, main, makePng, test,
} from './lib.mjs';

const PNG = makePng(64, 48);
const LOG_TEXT = 'Protokoll des Fehlers\nZeile 2: Zeitüberschreitung beim Absenden\n';
const TYPES = ['Störungsmeldung', 'Anforderung Online-Dienst', 'Online-Dienst Inbetriebnahme', 'Sonstige Frage'];
const KEY_RE = /\/servicedesk\/customer\/portal\/17\/([A-Z][A-Z0-9]*-\d+)$/;

/* ---------- Steps a person takes ---------- */

// The number of open requests next to "Anfragen" in the header.
async function openCount(page) {
	return Number(await page.locator('.site-nav [data-open-count]').getAttribute('data-open-count'));
}

async function openCreateForm(t, page, typeName) {
	await page.goto(t.url(PORTAL));
	await page.getByRole('link', { name: typeName, exact: true }).click();
	await page.waitForLoadState();
	eq(await page.getByRole('heading', { level: 1 }).textContent(), typeName, 'create form heading');
}

// Types a description, selects its last word with Shift+Left and presses "Fett".
async function writeDescriptionWithBold(page) {
	const ta = page.getByRole('textbox', { name: 'Fehlerbeschreibung' });
	await ta.click();
	await ta.pressSequentially('Beim Absenden des Antrags erscheint ein Fehler');
	for (let i = 0; i < 'Fehler'.length; i += 1)
		await ta.press('Shift+ArrowLeft');
	await page.getByRole('button', { name: 'Fett' }).click();
	eq(await ta.inputValue(), 'Beim Absenden des Antrags erscheint ein **Fehler**', 'description after "Fett"');
	await ta.press('End');
	await ta.pressSequentially('. Danach ist die Sitzung weg.');
	return ta;
}

// Waits until the list shows the answer to the whole typed text and no search is under way
// (a slow machine may show the answer to the first letters in between).
async function settledOptions(page, listbox, typed) {
	await page.waitForFunction(([id, q]) => {
		const opts = Array.from(document.querySelectorAll(`#${id} [role="option"]`));
		return opts.length > 0 && opts.every((o) => o.textContent.toLocaleLowerCase().includes(q));
	}, [await listbox.getAttribute('id'), typed.toLocaleLowerCase()]);
	await page.waitForLoadState('networkidle');
}

// Opens the combobox's list by typing, walks down with the arrow key to `want`, takes it with Enter.
// comboName: the combobox's accessible name, or the combobox's Locator.
async function pickObject(page, comboName, typed, want) {
	const combo = typeof comboName === 'string' || comboName instanceof RegExp
		? page.getByRole('combobox', { name: comboName }) : comboName;
	await combo.click();
	await combo.pressSequentially(typed, { delay: 30 });
	const listbox = page.locator(`#${await combo.getAttribute('aria-controls')}`);
	await settledOptions(page, listbox, typed);
	eq(await combo.getAttribute('aria-expanded'), 'true', `${comboName}: aria-expanded while the list is open`);
	const names = await listbox.getByRole('option').allTextContents();
	check(names.includes(want), `${comboName}: "${typed}" should offer "${want}", offered ${JSON.stringify(names)}`);
	for (let i = 0; i <= names.indexOf(want); i += 1)
		await combo.press('ArrowDown');
	const active = await combo.getAttribute('aria-activedescendant');
	check(active, `${comboName}: no aria-activedescendant after ArrowDown`);
	eq(await page.locator(`#${active}`).textContent(), want, `${comboName}: active option`);
	await combo.press('Enter');
	eq(await combo.getAttribute('aria-expanded'), 'false', `${comboName}: list closes after Enter`);
	return combo;
}

// What a browser does when the user presses Ctrl+V with a screenshot on the clipboard.
async function pasteScreenshot(locator, png) {
	return locator.evaluate((target, b64) => {
		const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
		const dt = new DataTransfer();
		dt.items.add(new File([bytes], 'image.png', { type: 'image/png' }));
		const ev = new ClipboardEvent('paste', { clipboardData: dt, bubbles: true, cancelable: true });
		target.dispatchEvent(ev);
		return ev.defaultPrevented;
	}, png.toString('base64'));
}

// What a browser does when a file from the desktop is dragged onto the drop zone and let go.
async function dropFile(t, page, zone, name, text, type) {
	const dt = await page.evaluateHandle(([n, body, mime]) => {
		const d = new DataTransfer();
		d.items.add(new File([body], n, { type: mime }));
		return d;
	}, [name, text, type]);
	await zone.dispatchEvent('dragenter', { dataTransfer: dt });
	await zone.dispatchEvent('dragover', { dataTransfer: dt });
	check(await zone.evaluate((z) => z.classList.contains('is-dragover')), 'drop zone shows that a file is over it');
	await t.shot(page, 'file dragged over the drop zone');
	await zone.dispatchEvent('drop', { dataTransfer: dt });
	await dt.dispose();
}

async function chosenFiles(page) {
	return page.locator('.filelist .filelist__name').allTextContents();
}

// Adds a pasted screenshot and a dropped log file to the form's attachment field.
async function attachBoth(t, page) {
	const ta = page.locator('#f-description');
	check(await pasteScreenshot(ta, PNG), 'the page takes a pasted image (paste event not handled)');
	let files = await chosenFiles(page);
	eq(files.length, 1, 'files after pasting a screenshot');
	check(/^screenshot-\d{4}-\d\d-\d\d-\d{4}(-\d+)?\.png$/.test(files[0]), `pasted screenshot name: ${files[0]}`);
	await dropFile(t, page, page.locator('.dropzone'), 'protokoll.txt', LOG_TEXT, 'text/plain');
	files = await chosenFiles(page);
	eq(files.length, 2, 'files after dropping a file');
	eq(files[1], 'protokoll.txt', 'dropped file');
	const submitted = await page.locator('#f-attachment').evaluate((i) => Array.from(i.files).map((f) => f.name));
	eq(JSON.stringify(submitted), JSON.stringify(files), 'the form\'s file input holds the listed files');
	return files[0];
}

// Checks the request page after creation; returns its key.
async function checkRequestPage(t, page, { title, screenshot, mandant, dienst }) {
	const m = KEY_RE.exec(new URL(page.url()).pathname);
	check(m, `after "Erstellen" the browser should be on the request page, is on ${page.url()}`);
	const key = m[1];
	eq((await page.locator('.request__key').textContent()).trim(), key, 'key on the request page');
	eq((await page.getByRole('heading', { level: 1 }).textContent()).trim(), title, 'title on the request page');
	const details = await page.locator('.details').innerText();
	if (mandant)
		check(details.includes(mandant), `details show the Mandant ${mandant}:\n${details}`);
	if (dienst)
		check(details.includes(dienst), `details show the Online-Dienst ${dienst}:\n${details}`);
	const attachments = page.getByRole('region', { name: 'Anhänge' }).or(page.locator('section:has(#attachments-heading)'));
	const text = await attachments.first().innerText();
	for (const name of [screenshot, 'protokoll.txt'])
		check(text.includes(name), `attachment ${name} listed on the request page:\n${text}`);
	const thumb = page.locator('img.attachment__thumb').first();
	await thumb.scrollIntoViewIfNeeded();
	await page.waitForFunction((img) => img.complete && img.naturalWidth > 0, await thumb.elementHandle());
	eq(await thumb.getAttribute('alt'), screenshot, 'thumbnail alt text');
	// The stored files are byte for byte what the user gave.
	const links = await page.locator('a.attachment__link').evaluateAll((as) => as.map((a) => [a.textContent.trim(), a.href]));
	for (const [name, href] of links) {
		const body = await page.context().request.get(href).then((r) => r.body());
		if (name === screenshot)
			check(body.equals(PNG), `downloaded ${name} equals the pasted PNG`);
		else if (name === 'protokoll.txt')
			eq(body.toString('utf8'), LOG_TEXT, `downloaded ${name}`);
	}
	return key;
}

/* ---------- Tests ---------- */

test('login', 'sign in through the login form; axe on the login page, plain and after a failed login', async (t) => {
	const page = await t.page();
	await page.goto(t.url(PORTAL));
	check(new URL(page.url()).pathname === LOGIN, `a signed-out visitor is sent to the login page, got ${page.url()}`);
	await t.axe(page, 'login');
	await page.getByLabel('E-Mail-Adresse').fill('anna@example.org');
	await page.getByLabel('Passwort').fill('falsch');
	await page.getByRole('button', { name: 'Anmelden' }).click();
	await page.waitForLoadState();
	const alert = page.getByRole('alert');
	check((await alert.textContent()).includes('E-Mail-Adresse oder Passwort ist falsch.'), 'failed login says why');
	eq(await page.getByLabel('E-Mail-Adresse').inputValue(), 'anna@example.org', 'e-mail kept after a failed login');
	eq(await page.getByLabel('Passwort').inputValue(), '', 'password not sent back');
	eq(await page.getByLabel('E-Mail-Adresse').getAttribute('aria-invalid'), 'true', 'e-mail field marked invalid');
	await t.axe(page, 'login after a failed login');
	await page.getByLabel('Passwort').fill('demo');
	await page.getByRole('button', { name: 'Anmelden' }).click();
	await page.waitForLoadState();
	eq(new URL(page.url()).pathname, PORTAL, 'after signing in the user is back where they wanted to go');
	check((await page.locator('.site-nav').innerText()).includes('Anna Schmidt'), 'header names the signed-in user');
	await t.shot(page, 'signed in');
});

// Does what `act` does and waits for the page it leads to (a form sent
// to its own address included).
async function navigates(page, act) {
	await Promise.all([page.waitForEvent('load'), act()]);
}

// The last line a zek command printed: the link of --print-link.
function printedLink(out) {
	return out.trim().split('\n').pop();
}

test('accounts', '"Passwort vergessen?", "Konto erstellen" and an invitation by keyboard; axe on every page of the family', async (t) => {
	const page = await t.page();
	await page.goto(t.url(LOGIN));
	await page.getByRole('link', { name: 'Passwort vergessen?' }).focus();
	await navigates(page, () => page.keyboard.press('Enter'));
	eq(new URL(page.url()).pathname, '/servicedesk/customer/user/forgot-password', 'the link leads to the form');
	await t.axe(page, 'Passwort vergessen');
	await page.getByLabel('E-Mail-Adresse').fill('ben@example.org');
	await navigates(page, () => page.keyboard.press('Enter'));
	check((await page.getByRole('status').innerText()).includes('Wenn zu dieser Adresse ein Konto besteht'),
		'the same answer for every address');
	await t.axe(page, 'Passwort vergessen, sent');

	// "Konto erstellen": a refused domain is said next to the field, then the mail is on its way.
	await page.goto(t.url(LOGIN));
	await page.getByRole('link', { name: 'Konto erstellen' }).focus();
	await navigates(page, () => page.keyboard.press('Enter'));
	eq((await page.getByRole('heading', { level: 1 }).textContent()).trim(), 'Konto erstellen', 'sign-up heading');
	await t.axe(page, 'Konto erstellen');
	const address = page.getByLabel('E-Mail-Adresse');
	await address.fill('nils@gmail.example');
	await navigates(page, () => page.keyboard.press('Enter'));
	check((await page.getByRole('alert').innerText()).includes('kein Konto erstellt werden'), 'a refused domain is named in the summary');
	eq(await address.getAttribute('aria-invalid'), 'true', 'the address field is marked invalid');
	eq(await address.inputValue(), 'nils@gmail.example', 'the address is kept');
	await t.axe(page, 'Konto erstellen with errors');
	await page.getByRole('alert').getByRole('link').first().click();
	eq(await page.evaluate(() => document.activeElement.id), 'signup-email', 'the summary link moves the focus to the field');
	await address.fill('nils.browser@example.org');
	await navigates(page, () => page.getByRole('button', { name: 'Bestätigungslink senden' }).click());
	check((await page.getByRole('status').innerText()).includes('nils.browser@example.org'), 'the page names the address');
	await t.axe(page, 'Konto erstellen, sent');

	// An invitation, its link as the command line prints it.
	await page.goto(printedLink(t.server.zek('user', 'invite', '--email', 'nora.browser@example.org',
		'--org', 'Kreis Neuland – Bauamt', '--print-link')));
	eq((await page.getByRole('heading', { level: 1 }).textContent()).trim(), 'Konto einrichten', 'invitation heading');
	await t.axe(page, 'Konto einrichten');
	await page.getByLabel('Anzeigename').fill('Nora Neu');
	await page.getByLabel('Neues Passwort', { exact: true }).fill('Passwort2026!');
	await page.getByLabel('Neues Passwort wiederholen').fill('Passwort2026!');
	await navigates(page, () => page.keyboard.press('Enter'));
	const summary = page.getByRole('alert');
	check((await summary.innerText()).includes('zu leicht zu erraten'), 'a common password is refused and the summary says why');
	eq(await page.getByLabel('Neues Passwort', { exact: true }).getAttribute('aria-invalid'), 'true',
		'the password field is marked invalid');
	eq(await page.getByLabel('Anzeigename').inputValue(), 'Nora Neu', 'the name is kept');
	await t.axe(page, 'Konto einrichten with errors');
	await summary.getByRole('link').first().click();
	eq(await page.evaluate(() => document.activeElement.id), 'a-new', 'the summary link moves the focus to the field');
	await page.keyboard.type('Sommer-Regen am Deich');
	await page.getByLabel('Neues Passwort wiederholen').fill('Sommer-Regen am Deich');
	await navigates(page, () => page.getByRole('button', { name: 'Konto einrichten und anmelden' }).click());
	check((await page.getByRole('status').first().innerText()).includes('Willkommen!'), 'welcomed after setting up');
	check((await page.locator('.site-nav').innerText()).includes('Nora Neu'), 'signed in as the invited person');
	await t.axe(page, 'portal after the invitation');

	// A reset link, then the same link again.
	const reset = printedLink(t.server.zek('user', 'reset-password', '--email', 'nora.browser@example.org',
		'--print-link'));
	const other = await t.page();
	await other.goto(reset);
	await t.axe(other, 'Neues Passwort festlegen');
	await other.getByLabel('Neues Passwort', { exact: true }).fill('Herbst-Sturm über der Heide');
	await other.getByLabel('Neues Passwort wiederholen').fill('Herbst-Sturm über der Heide');
	await navigates(other, () => other.getByRole('button', { name: 'Passwort speichern und anmelden' }).click());
	check((await other.locator('.site-nav').innerText()).includes('Nora Neu'), 'signed in after the reset');
	const res = await other.goto(reset);
	eq(res.status(), 404, 'a used link');
	check((await other.getByRole('alert').innerText()).includes('funktioniert nicht'), 'a used link says so');
	await t.axe(other, 'link that does not work');
});

test('pages', 'axe on the help center, the portal and the four create forms', async (t) => {
	const page = await t.pageAs('anna@example.org');
	await page.goto(t.url(PORTALS));
	await t.axe(page, 'help center');
	await page.locator('a.card__link').first().click();
	await page.waitForLoadState();
	eq(new URL(page.url()).pathname, PORTAL, 'help center links to the portal');
	await t.axe(page, 'portal');
	// The groups are tabs; the arrow keys move between them.
	const first = page.getByRole('tab').first();
	await first.focus();
	await page.keyboard.press('ArrowRight');
	eq(await page.getByRole('tab').nth(1).getAttribute('aria-selected'), 'true', 'ArrowRight selects the next group');
	await t.axe(page, 'portal, second group');
	await page.keyboard.press('ArrowLeft');
	for (const name of TYPES) {
		await openCreateForm(t, page, name);
		await t.axe(page, `create form ${name}`);
	}
});

test('plain', 'axe on the pages as they are without zek.js (plain controls), and reflow at 320 px', async (t) => {
	// A browser that never gets zek.js, but can still run axe.
	const state = await t.pageAs('anna@example.org').then(async (p) => {
		const st = await p.context().storageState();
		await p.context().close();
		return st;
	});
	const page = await t.page({ storageState: state });
	await page.route('**/static/*/zek.js', (route) => route.abort());
	await page.goto(t.url(PORTAL));
	eq(await page.getByRole('tab').count(), 0, 'no tabs without zek.js');
	await t.axe(page, 'portal without zek.js');
	for (const name of TYPES) {
		await openCreateForm(t, page, name);
		await t.axe(page, `create form ${name} without zek.js`);
	}
	// A new request's page, with its comment form always open.
	await openCreateForm(t, page, 'Sonstige Frage');
	await page.getByRole('textbox', { name: 'Titel' }).fill('Frage ohne JavaScript');
	await page.locator('textarea').first().fill('Gibt es eine Schnittstelle?');
	await page.getByRole('button', { name: 'Erstellen' }).click();
	await page.waitForURL(KEY_RE);
	const request = page.url();
	await t.axe(page, 'request page without zek.js');

	// WCAG 1.4.10: at 320 CSS pixels nothing needs scrolling sideways.
	const narrow = await t.page({ storageState: state, viewport: { width: 320, height: 640 } });
	for (const path of [PORTALS, PORTAL, `${PORTAL}/create/1`, new URL(request).pathname, REQUESTS, LOGIN]) {
		await narrow.goto(t.url(path));
		const over = await narrow.evaluate(() => {
			const w = document.documentElement.clientWidth;
			const wide = Array.from(document.querySelectorAll('body *'))
				.filter((e) => e.getBoundingClientRect().right > w + 1 && e.checkVisibility())
				.map((e) => `${e.tagName.toLowerCase()}.${String(e.className).split(' ')[0]}`);
			return { scroll: document.documentElement.scrollWidth, w, wide: wide.slice(0, 5) };
		});
		check(over.scroll <= over.w, `${path} at 320 px scrolls sideways (${over.scroll} > ${over.w}): ${over.wide.join(', ')}`);
	}
	await t.shot(narrow, 'login at 320 px');
});

test('create', 'create a Störungsmeldung with toolbar, object search, pasted screenshot and dropped file', async (t) => {
	const page = await t.pageAs('anna@example.org');
	await openCreateForm(t, page, 'Störungsmeldung');
	const before = await openCount(page);
	const title = 'Wohngeld-Antrag bricht beim Absenden ab';
	await page.getByRole('textbox', { name: 'Titel' }).fill(title);
	await writeDescriptionWithBold(page);
	await page.getByRole('button', { name: 'Vorschau' }).click();
	const preview = page.getByRole('region', { name: 'Vorschau' });
	await preview.locator('strong').waitFor();
	eq(await preview.locator('strong').textContent(), 'Fehler', 'preview shows the bold word as <strong>');
	await t.shot(page, 'description with bold word and preview');

	await pickObject(page, /^Mandant/, 'Muster', 'Stadt Musterstadt');
	eq(await page.locator('#f-mandant').inputValue(), '5', 'the hidden Mandant select holds the choice');
	await pickObject(page, /^Online Dienste/, 'Wohn', 'Wohngeld');
	eq(JSON.stringify(await page.locator('.chips .chip__name').allTextContents()), '["Wohngeld"]', 'chosen Online-Dienst shown as a chip');
	await t.shot(page, 'objects chosen');

	const screenshot = await attachBoth(t, page);
	await t.shot(page, 'files attached');
	await page.getByRole('button', { name: 'Erstellen' }).click();
	await page.waitForURL(KEY_RE);
	const key = await checkRequestPage(t, page, { title, screenshot, mandant: 'Stadt Musterstadt', dienst: 'Wohngeld' });
	check((await page.locator('.details strong').allTextContents()).includes('Fehler'), 'description shows the bold word');
	eq(await openCount(page), before + 1, 'open requests in the header after creating one');
	await t.axe(page, `request page ${key}`);
});

test('errors', 'an empty title comes back with errors; text, choices and files survive; the summary gets focus', async (t) => {
	const page = await t.pageAs('anna@example.org');
	await openCreateForm(t, page, 'Störungsmeldung');
	await writeDescriptionWithBold(page);
	await pickObject(page, /^Mandant/, 'Muster', 'Stadt Musterstadt');
	await pickObject(page, /^Online Dienste/, 'Wohn', 'Wohngeld');
	await page.getByLabel('Umgebung (optional)').selectOption({ label: 'Produktion' });
	const screenshot = await attachBoth(t, page);
	const description = await page.locator('#f-description').inputValue();
	// Skip the browser's own required check: the server must catch it too.
	await page.locator('form.form--create').evaluate((f) => { f.noValidate = true; });
	const [response] = await Promise.all([
		page.waitForResponse((r) => r.request().method() === 'POST'),
		page.getByRole('button', { name: 'Erstellen' }).click(),
	]);
	await page.waitForLoadState();
	check(response.status() >= 400 && response.status() < 500, `the server rejects the empty title, answered ${response.status()}`);
	const summary = page.locator('.error-summary');
	await summary.waitFor();
	check(await summary.evaluate((s) => s === document.activeElement), 'the error summary has the focus');
	const link = summary.getByRole('link').first();
	eq(await link.getAttribute('href'), '#f-summary', 'the error summary links to the title');
	eq(await page.locator('#f-summary').getAttribute('aria-invalid'), 'true', 'title marked invalid');
	eq(await page.locator('#f-description').inputValue(), description, 'description kept');
	eq(await page.getByRole('combobox', { name: /^Mandant/ }).inputValue(), 'Stadt Musterstadt', 'Mandant kept');
	eq(JSON.stringify(await page.locator('.chips .chip__name').allTextContents()), '["Wohngeld"]', 'Online-Dienst kept');
	eq(await page.getByLabel('Umgebung (optional)').inputValue(), 'produktion', 'Umgebung kept');
	const kept = page.locator('.kept-files input[type="checkbox"]');
	eq(await kept.count(), 2, 'both uploaded files are kept');
	const keptText = await page.locator('.kept-files').innerText();
	check(keptText.includes(screenshot) && keptText.includes('protokoll.txt'), `kept files listed: ${keptText}`);
	check(await kept.evaluateAll((cs) => cs.every((c) => c.checked)), 'kept files are checked');
	await t.axe(page, 'create form with errors');

	await link.click();
	check(await page.locator('#f-summary').evaluate((i) => i === document.activeElement), 'the summary link moves the focus to the title');
	const title = 'Fehler nach erneutem Versuch';
	await page.keyboard.type(title);
	await page.getByRole('button', { name: 'Erstellen' }).click();
	await page.waitForURL(KEY_RE);
	await checkRequestPage(t, page, { title, screenshot, mandant: 'Stadt Musterstadt', dienst: 'Wohngeld' });
	await t.shot(page, 'created after the correction', { full: true });
});

// Presses Tab from the top of the page until the focus comes round again. Every control
// must be reached, in document order, each with a visible focus ring; returns the stops.
async function tabWalk(t, page, label) {
	const expected = await page.evaluate(() => {
		const all = Array.from(document.querySelectorAll('a[href], button, input, select, textarea, summary, [tabindex]'));
		const radioSeen = new Set();
		const out = [];
		all.forEach((e, i) => {
			e.dataset.kb = String(i);
			if (e.disabled || e.tabIndex < 0 || !e.checkVisibility({ visibilityProperty: true }))
				return;
			if (e.closest('[inert], [aria-hidden="true"]') || e.type === 'hidden')
				return;
			if (e.type === 'radio') {
				if (radioSeen.has(e.name))
					return;
				radioSeen.add(e.name);
			}
			out.push(String(i));
		});
		return out;
	});
	const reached = [];
	const unseen = [];
	await page.evaluate(() => { document.activeElement.blur(); window.scrollTo({ top: 0, behavior: 'instant' }); });
	for (let i = 0; i < 300; i += 1) {
		await page.keyboard.press('Tab');
		const info = await page.evaluate(() => {
			const e = document.activeElement;
			if (!e || e === document.body)
				return null;
			// The ring sits on the element or, for card links, on the card around it.
			let ring = false;
			for (let n = e, depth = 0; n && depth < 3; n = n.parentElement, depth += 1) {
				const s = getComputedStyle(n);
				if ((s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) >= 2) || (depth === 0 && s.boxShadow !== 'none'))
					ring = true;
			}
			const name = (e.getAttribute('aria-label') || e.textContent || e.name || '').trim().slice(0, 40);
			const what = `${e.tagName.toLowerCase()}${e.id ? `#${e.id}` : ''} "${name}"`;
			return { kb: e.dataset.kb, tag: e.tagName, ring, visible: e.matches(':focus-visible'), what };
		});
		if (!info)
			break;
		// Date and time fields take several Tabs, one per part.
		if (reached.length && reached[reached.length - 1].kb === info.kb)
			continue;
		if (reached.some((r) => r.kb === info.kb))
			break;
		reached.push(info);
		if (!info.ring || !info.visible)
			unseen.push(info.what);
		if (reached.length === 4 || reached.length === 14)
			await t.shot(page, `${label}: tab stop ${reached.length}`);
	}
	const reachedKb = reached.map((r) => r.kb);
	const missing = expected.filter((k) => !reachedKb.includes(k));
	const missingWhat = await page.evaluate((ks) => ks.map((k) => {
		const e = document.querySelector(`[data-kb="${k}"]`);
		return `${e.tagName.toLowerCase()}#${e.id} ${e.getAttribute('aria-label') || e.textContent.trim().slice(0, 40)}`;
	}), missing);
	check(!missing.length, `${label}: Tab never reaches: ${missingWhat.join('; ')}`);
	const inOrder = reachedKb.filter((k) => expected.includes(k));
	eq(inOrder.join(','), expected.join(','), `${label}: Tab order follows the document order`);
	check(!unseen.length, `${label}: focus not visible on: ${unseen.join('; ')}`);
	eq(reachedKb[0], expected[0], `${label}: the first Tab stop`);
	return reached;
}

// Tab until the focus is on `locator` (at most `max` presses), as a keyboard user does.
async function tabTo(page, locator, max = 15) {
	for (let i = 0; i < max; i += 1) {
		if (await locator.evaluate((e) => e === document.activeElement))
			return;
		await page.keyboard.press('Tab');
	}
	throw new Error(`Tab never reached ${locator}`);
}

test('keyboard', 'keyboard only: Tab reaches every control in order with a visible focus; create, request page, list', async (t) => {
	const page = await t.pageAs('anna@example.org');
	await openCreateForm(t, page, 'Störungsmeldung');
	const stops = await tabWalk(t, page, 'create form');
	check(stops.length >= 25, `the create form has many controls, Tab reached only ${stops.length}`);
	for (const tag of ['A', 'BUTTON', 'INPUT', 'SELECT', 'TEXTAREA'])
		check(stops.some((s) => s.tag === tag), `Tab reached a ${tag.toLowerCase()} with a visible focus ring`);

	// On a freshly loaded page the skip link comes first, shows itself and jumps to the content.
	await page.goto(page.url());
	await page.keyboard.press('Tab');
	const skip = page.locator('.skip-link');
	check(await skip.evaluate((a) => a === document.activeElement), 'the first Tab focuses the skip link');
	// Smooth scrolling may still be on its way to the top.
	const onScreen = await page.waitForFunction((a) => {
		const r = a.getBoundingClientRect();
		return r.top >= 0 && r.height > 10 && r.width > 10 && r.bottom <= window.innerHeight;
	}, await skip.elementHandle(), { timeout: 3000 }).then(() => true, () => false);
	check(onScreen, `the focused skip link is on screen: ${JSON.stringify(await skip.boundingBox())}`);
	await t.shot(page, 'skip link');
	await page.keyboard.press('Enter');
	check(await page.evaluate(() => document.activeElement.id === 'main'), 'the skip link moves the focus to the main content');

	// The whole form is filled and sent from the keyboard: Tab, type, Enter.
	const title = page.getByRole('textbox', { name: 'Titel' });
	await tabTo(page, title);
	await page.keyboard.type('Nur mit der Tastatur gemeldet');
	await tabTo(page, page.getByRole('textbox', { name: 'Fehlerbeschreibung' }));
	await page.keyboard.type('Beschreibung, ohne Maus eingegeben.');
	await tabTo(page, page.getByRole('combobox', { name: /^Mandant/ }));
	await page.keyboard.type('Muster');
	await settledOptions(page, page.locator('#f-mandant-listbox'), 'Muster');
	await page.keyboard.press('ArrowDown');
	await page.keyboard.press('Enter');
	await tabTo(page, page.getByRole('button', { name: 'Erstellen' }), 40);
	await page.keyboard.press('Enter');
	await page.waitForURL(KEY_RE);
	eq((await page.getByRole('heading', { level: 1 }).textContent()).trim(), 'Nur mit der Tastatur gemeldet', 'request created from the keyboard');
	const details = await page.locator('.details').innerText();
	check(details.includes('Beschreibung, ohne Maus eingegeben.') && details.includes('Stadt Musterstadt'),
		`description and Mandant typed from the keyboard arrived:\n${details}`);
	await t.shot(page, 'created from the keyboard', { full: true });

	await tabWalk(t, page, 'request page');
	await page.goto(t.url(REQUESTS));
	await tabWalk(t, page, 'Anfragen');
}, { timeout: 180000 });

test('nojs', 'without JavaScript a request can be created with the plain controls', async (t) => {
	const page = await t.page({ javaScriptEnabled: false });
	await t.login(page, 'anna@example.org');
	await page.goto(t.url(PORTAL));
	// No tabs without JavaScript: every group is on the page.
	eq(await page.getByRole('tab').count(), 0, 'no tabs without JavaScript');
	check(await page.getByRole('heading', { name: 'ODIS' }).isVisible(), 'second group visible without JavaScript');
	await page.getByRole('link', { name: 'Störungsmeldung', exact: true }).click();
	await page.waitForLoadState();
	eq(await page.locator('.md-toolbar').count(), 0, 'no toolbar without JavaScript');
	const title = 'Ohne JavaScript gemeldet';
	await page.getByLabel('Titel').fill(title);
	await page.getByLabel('Fehlerbeschreibung').fill('Die Seite bleibt weiß.\n\n- Schritt 1\n- Schritt 2');
	await page.getByLabel(/^Mandant/).selectOption({ label: 'Stadt Musterstadt' });
	await page.getByLabel(/^Online Dienste/).selectOption([{ label: 'Wohngeld' }, { label: 'Kita-Platz' }]);
	await page.getByLabel('Dateien auswählen').setInputFiles([
		{ name: 'bildschirm.png', mimeType: 'image/png', buffer: PNG },
		{ name: 'protokoll.txt', mimeType: 'text/plain', buffer: Buffer.from(LOG_TEXT) },
	]);
	await page.getByLabel(/^Mit meiner Organisation teilen/).check();
	await t.shot(page, 'filled without JavaScript', { full: true });
	await page.getByRole('button', { name: 'Erstellen' }).click();
	await page.waitForURL(KEY_RE);
	await checkRequestPage(t, page, { title, screenshot: 'bildschirm.png', mandant: 'Stadt Musterstadt', dienst: 'Kita-Platz' });
	check((await page.locator('.details').innerText()).includes('Wohngeld'), 'both Online-Dienste stored');
	check((await page.locator('.request__side').innerText()).includes('Stadt Musterstadt – Bürgeramt'), 'shared with the organisation');
	await t.shot(page, 'created without JavaScript', { full: true });
});

// The create form's fields as the server sends them (without JavaScript): for each named
// control its kind, value, options and label. Read from the HTML, so that every field of
// every request type is covered without being listed here.
async function plainControls(page, url) {
	const html = await page.context().request.get(url).then((r) => r.text());
	return page.evaluate((text) => {
		const d = new DOMParser().parseFromString(text, 'text/html');
		const form = d.querySelector('form.form--create');
		const out = [];
		for (const c of form.querySelectorAll('input[name], select[name], textarea[name]')) {
			if (['csrf', 'onbehalf', 'share'].includes(c.name))
				continue;
			const label = d.querySelector(`label[for="${c.id}"]`);
			out.push({
				key: c.name, id: c.id, tag: c.tagName.toLowerCase(), type: c.type, value: c.value,
				multiple: c.multiple, object: Boolean(c.dataset && c.dataset.objectKind),
				label: label ? label.textContent.trim() : '',
				options: c.tagName === 'SELECT'
					? Array.from(c.options).filter((o) => o.value !== '').map((o) => ({ value: o.value, label: o.textContent.trim() }))
					: [],
			});
		}
		return out;
	}, html);
}

// Fills one control with a valid value of its kind through the enhanced (JavaScript)
// controls; returns what the request page must show.
async function fillControl(page, c, uid) {
	const input = page.locator(`[name="${c.key}"]`).first();
	if (c.type === 'file') {
		await input.setInputFiles([
			{ name: `bild-${c.key}.png`, mimeType: 'image/png', buffer: PNG },
			{ name: `log-${c.key}.txt`, mimeType: 'text/plain', buffer: Buffer.from(LOG_TEXT) },
		]);
		return [`bild-${c.key}.png`, `log-${c.key}.txt`];
	}
	if (c.type === 'checkbox') {
		await page.locator(`#${c.id}`).check();
		return [c.label];
	}
	if (c.tag === 'select') {
		check(c.options.length > 0, `${c.key}: a select without choices`);
		const chosen = c.multiple ? c.options.slice(-2) : c.options.slice(-1);
		if (c.object) {
			for (const o of chosen)
				await pickObject(page, page.locator(`#${c.id}-combo`), o.label, o.label);
		} else {
			await input.selectOption(chosen.map((o) => o.value));
		}
		return chosen.map((o) => o.label);
	}
	if (c.type === 'datetime-local') {
		await input.fill('2027-03-14T09:30');
		return ['14.03.2027, 09:30'];
	}
	const v = c.type === 'url' ? `https://example.org/${c.key}/${uid}` : `Wert ${c.key} ${uid}`;
	await input.fill(v);
	return [v];
}

test('allfields', 'every field of every request type filled in the browser (JavaScript controls), created, every value shown', async (t) => {
	const page = await t.pageAs('anna@example.org');
	await page.goto(t.url(PORTAL));
	const links = await page.locator(`a[href^="${PORTAL}/create/"]`).evaluateAll((as) => [...new Set(as.map((a) => a.getAttribute('href')))]);
	check(links.length > 0, 'no request types on the portal');
	for (const href of links) {
		const controls = await plainControls(page, t.url(href));
		await page.goto(t.url(href));
		const name = (await page.getByRole('heading', { level: 1 }).textContent()).trim();
		const uid = Math.random().toString(36).slice(2, 8);
		const want = [];
		for (const c of controls)
			for (const shown of await fillControl(page, c, uid))
				want.push([c.key, shown]);
		await page.getByRole('button', { name: 'Erstellen' }).click();
		await page.waitForLoadState();
		const errors = await page.locator('.error-summary').allInnerTexts();
		check(KEY_RE.test(new URL(page.url()).pathname), `${name}: not created, still on ${page.url()}: ${errors.join(' | ')}`);
		const text = (await page.locator('main').innerText()).replace(/\s+/g, ' ');
		for (const [key, shown] of want)
			check(shown && text.includes(shown), `${name}: ${key} = "${shown}" not on the request page`);
		await t.shot(page, `all fields of ${name}`, { full: true });
	}
});

// A short Störungsmeldung through the form; returns the request page's path.
async function createQuickly(t, page, title) {
	await openCreateForm(t, page, 'Störungsmeldung');
	await page.getByRole('textbox', { name: 'Titel' }).fill(title);
	await page.getByRole('textbox', { name: 'Fehlerbeschreibung' }).fill('Die Seite lädt nicht.');
	await page.getByRole('button', { name: 'Erstellen' }).click();
	await page.waitForURL(KEY_RE);
	return new URL(page.url()).pathname;
}

test('request', 'find it in "Anfragen", comment with an attachment, share with Ben, Ben finds and comments, withdraw, print', async (t) => {
	const anna = await t.pageAs('anna@example.org');
	const title = 'Kita-Platz-Suche: Größenfilter zeigt keine Ergebnisse';
	const path = await createQuickly(t, anna, title);
	const key = KEY_RE.exec(path)[1];

	// "Anfragen" finds it by a word from the title: lower case, umlaut, only its start.
	await anna.getByRole('link', { name: /^Anfragen/ }).first().click();
	await anna.waitForLoadState();
	eq(new URL(anna.url()).pathname, REQUESTS, '"Anfragen" in the header leads to the list');
	await t.axe(anna, 'Anfragen');
	await anna.getByRole('searchbox', { name: 'Suchen' }).fill('größen');
	await anna.getByRole('button', { name: 'Filtern' }).click();
	await anna.waitForLoadState();
	check(new URL(anna.url()).searchParams.get('q') === 'größen', `the search is in the URL: ${anna.url()}`);
	const rows = anna.locator('table.request-table tbody tr');
	eq(await rows.count(), 1, 'requests found by "größen"');
	eq((await rows.first().locator('.request-table__key').innerText()).trim(), key, 'the found request');
	await t.axe(anna, 'Anfragen, searched');
	await anna.getByRole('searchbox', { name: 'Suchen' }).fill('Zebrastreifen');
	await anna.getByRole('button', { name: 'Filtern' }).click();
	await anna.waitForLoadState();
	check((await anna.locator('main').innerText()).includes('Keine Anfragen passen zu „Zebrastreifen“.'), 'an empty result says so');
	await t.axe(anna, 'Anfragen, nothing found');
	await anna.goBack();
	await anna.getByRole('link', { name: title }).click();
	await anna.waitForURL((u) => u.pathname === path);

	// The comment box waits behind its opener; it opens with the focus in the text.
	const opener = anna.getByRole('button', { name: 'Einen Kommentar zu dieser Anfrage hinzufügen ...' });
	await opener.click();
	const comment = anna.getByRole('textbox', { name: 'Kommentar' });
	check(await comment.evaluate((e) => e === document.activeElement), 'the opened comment box has the focus in its text');
	// "Hinzufügen" with a file but no text fails and keeps the file.
	const box = anna.locator('.comment-form');
	await dropFile(t, anna, box.locator('.dropzone'), 'nachtrag.txt', 'Nachtrag\n', 'text/plain');
	await box.evaluate((f) => { f.noValidate = true; });
	await box.getByRole('button', { name: 'Hinzufügen' }).click();
	await anna.waitForLoadState();
	const summary = anna.locator('.comment-form .error-summary');
	await summary.waitFor();
	check((await summary.innerText()).includes('Der Kommentar wurde nicht hinzugefügt'), 'comment error summary');
	check(await anna.locator('.comment-form').isVisible(), 'the failed comment form stays open');
	check((await anna.locator('.comment-form .kept-files').innerText()).includes('nachtrag.txt'), 'the file survives the failed comment');
	await t.axe(anna, 'request page with a failed comment');
	await anna.getByRole('textbox', { name: 'Kommentar' }).fill('Auch nach einem Neustart des Browsers tritt der Fehler auf.');
	await anna.getByRole('button', { name: 'Hinzufügen' }).click();
	await anna.waitForURL((u) => u.pathname === path);
	const activity = anna.locator('#activity');
	await activity.getByText('Auch nach einem Neustart des Browsers tritt der Fehler auf.').waitFor();
	check((await activity.innerText()).includes('nachtrag.txt'), 'the comment\'s attachment is in the activity');
	await t.shot(anna, 'comment added');

	// Sharing: an unknown address is refused with a clear message, Ben is added.
	await anna.getByText('Teilen', { exact: true }).first().click();
	const who = anna.getByRole('textbox', { name: 'E-Mail-Adresse oder Name' });
	await who.fill('niemand@example.org');
	await anna.locator('.share__form').getByRole('button', { name: 'Teilen' }).click();
	await anna.waitForLoadState();
	check((await anna.locator('.share').innerText()).includes('Es gibt kein Konto mit dieser E-Mail-Adresse oder diesem Namen.'),
		'sharing with an unknown address says why');
	await t.axe(anna, 'request page with a refused share');
	await anna.getByRole('textbox', { name: 'E-Mail-Adresse oder Name' }).fill('ben@example.org');
	await anna.locator('.share__form').getByRole('button', { name: 'Teilen' }).click();
	await anna.waitForLoadState();
	await anna.locator('.sharing .person__name', { hasText: 'Ben Weber' }).waitFor();
	await t.shot(anna, 'shared with Ben');

	// Ben finds the request under "Ich bin Teilnehmer", sees comment and attachment, and comments himself.
	const ben = await t.pageAs('ben@example.org');
	await ben.goto(t.url(REQUESTS));
	await ben.getByLabel('Ersteller').selectOption({ label: 'Ich bin Teilnehmer' });
	await ben.getByRole('button', { name: 'Filtern' }).click();
	await ben.waitForLoadState();
	const benUrl = ben.url();
	const benKeys = await ben.locator('table.request-table .request-table__key').allInnerTexts();
	check(benKeys.map((k) => k.trim()).includes(key), `Ben's "Ich bin Teilnehmer" lists ${key}: ${benKeys.join(', ')}`);
	await t.shot(ben, 'Ben: Ich bin Teilnehmer');
	await t.axe(ben, 'Anfragen, Ich bin Teilnehmer');
	// The filtered view is a bookmark: the same address shows the same list.
	const again = await t.pageAs('ben@example.org');
	await again.goto(benUrl);
	eq(await again.getByLabel('Ersteller').inputValue(), await ben.getByLabel('Ersteller').inputValue(), 'the bookmarked filter');
	await again.context().close();
	await ben.getByRole('link', { name: title }).click();
	await ben.waitForURL((u) => u.pathname === path);
	eq((await ben.getByRole('heading', { level: 1 }).textContent()).trim(), title, 'Ben sees the shared request');
	check((await ben.locator('#activity').innerText()).includes('nachtrag.txt'), 'Ben sees the attachment');
	await ben.getByRole('button', { name: 'Einen Kommentar zu dieser Anfrage hinzufügen ...' }).click();
	await ben.getByRole('textbox', { name: 'Kommentar' }).fill('Bei mir auch.');
	await ben.getByRole('button', { name: 'Hinzufügen' }).click();
	await ben.locator('#activity').getByText('Bei mir auch.').waitFor();
	eq(await ben.getByRole('link', { name: 'Anfrage zurückziehen' }).count(), 0, 'only the reporter may withdraw');
	await t.shot(ben, 'Ben commented');
	// Carla (another organisation) must not see it.
	const carla = await t.pageAs('carla@example.org');
	eq((await carla.goto(t.url(path))).status(), 404, 'a stranger gets 404 for the request');

	// Withdraw after a confirmation; the closed request offers no comment box.
	await anna.goto(t.url(path));
	const before = await openCount(anna);
	await anna.getByRole('link', { name: 'Anfrage zurückziehen' }).click();
	await anna.waitForLoadState();
	await anna.getByText('Möchten Sie diese Anfrage wirklich zurückziehen?').waitFor();
	await t.axe(anna, 'withdraw confirmation');
	await anna.getByRole('button', { name: 'Ja, zurückziehen' }).click();
	await anna.waitForURL((u) => u.pathname === path);
	check((await anna.locator('.request__head').innerText()).includes('Zurückgezogen'), 'resolution Zurückgezogen shown');
	await anna.getByText('Diese Anfrage ist geschlossen und kann nicht wieder geöffnet werden.').first().waitFor();
	eq(await anna.locator('.comment-form, [data-comment-open]').count(), 0, 'no comment box on a closed request');
	eq(await anna.getByRole('link', { name: 'Anfrage zurückziehen' }).count(), 0, 'no second withdraw');
	eq(await openCount(anna), before - 1, 'open requests in the header after withdrawing');
	// Closed: gone from the open requests, listed under "Geschlossene Anfragen".
	await anna.goto(t.url(REQUESTS));
	check(!(await anna.locator('table.request-table').innerText().catch(() => '')).includes(key), 'not among the open requests');
	await anna.getByLabel('Status').selectOption({ label: 'Geschlossene Anfragen' });
	await anna.getByRole('button', { name: 'Filtern' }).click();
	await anna.waitForLoadState();
	check((await anna.locator('table.request-table').innerText()).includes(key), 'listed among the closed requests');
	await t.axe(anna, 'Anfragen, closed');
	await anna.goto(t.url(path));
	await t.axe(anna, 'closed request page');

	// "Drucken" prints; the print stylesheet leaves out navigation and buttons.
	const print = anna.getByRole('button', { name: 'Drucken' });
	await anna.evaluate(() => { window.zekPrinted = 0; window.print = () => { window.zekPrinted += 1; }; });
	await print.click();
	eq(await anna.evaluate(() => window.zekPrinted), 1, '"Drucken" opens the print dialog');
	await anna.emulateMedia({ media: 'print' });
	for (const sel of ['.site-nav', '.breadcrumbs', '.site-footer', '.request__actions', '.skip-link'])
		check(!(await anna.locator(sel).first().isVisible()), `${sel} is not printed`);
	eq(await anna.locator('button:visible').count(), 0, 'no buttons in print');
	for (const text of [key, title, 'Zurückgezogen', 'Details', 'Geteilt mit', 'Ben Weber', 'Aktivität', 'Bei mir auch.', 'nachtrag.txt'])
		check((await anna.locator('body').innerText()).includes(text), `print shows ${text}`);
	await t.shot(anna, 'print preview', { full: true });
	await anna.emulateMedia({ media: 'screen' });
}, { timeout: 240000 });

test('agent', 'agent area: queues and request view pass axe; the agent proposes a solution, Anna accepts it', async (t) => {
	const anna = await t.pageAs('anna@example.org');
	const path = await createQuickly(t, anna, 'Terminbuchung: Kalender bleibt leer');
	const key = KEY_RE.exec(path)[1];

	const sam = await t.pageAs('support@example.org');
	await sam.goto(t.url('/servicedesk/agent/queues/unassigned?sort=newest'));
	check((await sam.locator('main').innerText()).includes(key), `the new request ${key} is in "Nicht zugewiesen"`);
	await t.axe(sam, 'agent queue');
	await sam.goto(t.url(`/servicedesk/agent/requests/${key}`));
	await t.axe(sam, 'agent request view');
	await sam.getByRole('button', { name: 'Mir zuweisen' }).click();
	await sam.waitForLoadState();
	await sam.getByLabel('Neuer Status').selectOption({ label: 'Lösung vorschlagen (Wartet auf Kunden, Lösung Gelöst)' });
	await sam.getByLabel('Nachricht an den Kunden').fill('Bitte leeren Sie den **Browser-Cache**, dann lädt das Formular.');
	await sam.getByRole('button', { name: 'Status ändern' }).click();
	await sam.waitForLoadState();
	check((await sam.locator('main').innerText()).includes('Der Anfragestatus wurde zu Wartet auf Kunden mit Lösung Gelöst geändert.'),
	    'the activity names the proposed solution');
	await t.axe(sam, 'agent request view after proposing a solution');
	await t.shot(sam, 'agent proposed a solution', { full: true });

	await anna.goto(t.url(path));
	// The panel quotes the proposal and names the day it closes by itself (issue 19, point 4).
	const panel = anna.getByRole('region', { name: 'Lösungsvorschlag' });
	check((await panel.innerText()).includes('Bitte leeren Sie den Browser-Cache, dann lädt das Formular.'),
	    'the solution panel quotes the proposal');
	check(/am \d\d\.\d\d\.\d{4}, \d\d:\d\d automatisch geschlossen/.test(await panel.innerText()),
	    'the solution panel names the day it closes');
	await t.axe(anna, 'request page with a proposed solution');
	await t.shot(anna, 'solution panel with the proposal', { full: true });
	await anna.getByRole('link', { name: 'Lösung annehmen' }).click();
	await anna.waitForLoadState();
	await t.axe(anna, 'accept confirmation');
	await anna.getByLabel('Optionaler Kommentar').fill('Danke, jetzt geht es.');
	await anna.getByRole('button', { name: 'Lösung annehmen' }).click();
	await anna.waitForLoadState();
	eq(new URL(anna.url()).pathname, path, 'back on the request page');
	const status = (await anna.locator('.request__status').innerText());
	check(/geschlossen/i.test(status) && status.includes('Gelöst'), `closed as solved, got "${status}"`);
	check((await anna.locator('main').innerText()).includes('Danke, jetzt geht es.'), 'the comment is kept');
	await t.shot(anna, 'solution accepted', { full: true });
});

test('bulk', 'the queue\'s bulk form by keyboard: two requests ticked, "Mir" and "In Bearbeitung" chosen, one refused; the outcome on the same page; "Alle auf dieser Seite auswählen" with and without zek.js; Tab order; axe on each state', async (t) => {
	const anna = await t.pageAs('anna@example.org');
	const word = `Stapel${Date.now() % 100000}`;
	const keys = [];
	for (const n of [1, 2, 3])
		keys.push(KEY_RE.exec(await createQuickly(t, anna, `${word} Drucker ${n}`))[1]);
	const sam = await t.pageAs('support@example.org');
	// The third is worked on already: "In Bearbeitung" is refused for it.
	await sam.goto(t.url(`/servicedesk/agent/requests/${keys[2]}`));
	await sam.getByLabel('Neuer Status').selectOption({ label: 'In Bearbeitung' });
	await sam.getByRole('button', { name: 'Status ändern' }).click();
	await sam.waitForLoadState();
	const queue = `/servicedesk/agent/queues/open?sort=newest&q=${word}`;
	await sam.goto(t.url(queue));
	await t.axe(sam, 'queue with the bulk form');
	await tabWalk(t, sam, 'queue with the bulk form');
	// Nothing ticked: the error in the form, the choice kept.
	await sam.getByLabel('Zuweisen an').selectOption({ label: 'Mir' });
	await sam.getByRole('button', { name: 'Auf Auswahl anwenden' }).click();
	await sam.waitForLoadState();
	check((await sam.locator('#bulk-error').innerText()).includes('Wählen Sie mindestens eine Anfrage aus.'), 'the error is at the form');
	eq(await sam.getByLabel('Zuweisen an').inputValue(), 'me', 'the choice is kept');
	await t.axe(sam, 'bulk form with an error');
	// By keyboard: the boxes by their names, Space ticks; the status; Enter sends.
	for (const key of [keys[0], keys[2]]) {
		const box = sam.getByRole('checkbox', { name: `${key} auswählen` });
		await tabTo(sam, box, 80);
		await sam.keyboard.press('Space');
		check(await box.isChecked(), `${key} ticked by keyboard`);
	}
	await sam.getByLabel('Status ändern').focus();
	await sam.getByLabel('Status ändern').selectOption({ label: 'In Bearbeitung' });
	await tabTo(sam, sam.getByRole('button', { name: 'Auf Auswahl anwenden' }), 5);
	await navigates(sam, () => sam.keyboard.press('Enter'));
	const url = new URL(sam.url());
	eq(url.searchParams.get('q'), word, 'back on the same search');
	eq(url.searchParams.get('sort'), 'newest', 'in the same order');
	const summary = await sam.locator('#bulk-summary').innerText();
	check(summary.includes('1 geändert, 1 nicht geändert'), `the outcome counts: ${summary}`);
	check(summary.includes(`${keys[2]}: Status „In Bearbeitung“ ist von „In Bearbeitung“ aus nicht möglich.`), `the refusal and why: ${summary}`);
	await t.axe(sam, 'queue with the outcome of a bulk change');
	await t.shot(sam, 'bulk outcome', { full: true });
	// "Alle auf dieser Seite auswählen": with zek.js the boxes tick in place ...
	await sam.getByRole('link', { name: 'Alle auf dieser Seite auswählen' }).click();
	for (const key of keys)
		check(await sam.getByRole('checkbox', { name: `${key} auswählen` }).isChecked(), `${key} ticked by "select all"`);
	await sam.getByRole('link', { name: 'Auswahl aufheben' }).click();
	check(!(await sam.getByRole('checkbox', { name: `${keys[0]} auswählen` }).isChecked()), 'cleared again');
	// ... and without it the page comes back with them ticked.
	const plain = await t.pageAs('support@example.org');
	await plain.route('**/static/*/zek.js', (route) => route.abort());
	await plain.goto(t.url(queue));
	await navigates(plain, () => plain.getByRole('link', { name: 'Alle auf dieser Seite auswählen' }).click());
	for (const key of keys)
		check(await plain.getByRole('checkbox', { name: `${key} auswählen` }).isChecked(), `${key} ticked without script`);
	await t.axe(plain, 'queue with every box ticked (without zek.js)');
}, { timeout: 180000 });

test('edit', 'the agent edits a request: the edit page passes axe, a title too long is refused at the field, another type keeps the title, a link is added; axe on each state', async (t) => {
	const anna = await t.pageAs('anna@example.org');
	const path = await createQuickly(t, anna, 'Bearbeiten: Titel mit Tippfehlr');
	const key = KEY_RE.exec(path)[1];
	const sam = await t.pageAs('support@example.org');
	await sam.goto(t.url(`/servicedesk/agent/requests/${key}`));
	await navigates(sam, () => sam.getByRole('link', { name: 'Bearbeiten' }).click());
	await t.axe(sam, 'edit page');
	// The browser keeps an empty required field itself; the server checks the length.
	await sam.getByLabel('Titel').fill('x'.repeat(300));
	await navigates(sam, () => sam.getByRole('button', { name: 'Änderungen speichern' }).click());
	check((await sam.locator('.field--error').first().innerText()).includes('255'),
	    'the long title is refused beside the field');
	await t.axe(sam, 'edit page with an error');
	await sam.getByLabel('Titel').fill('Bearbeiten: Titel ohne Tippfehler');
	await navigates(sam, () => sam.getByRole('button', { name: 'Änderungen speichern' }).click());
	check((await sam.locator('h1').innerText()).includes('Titel ohne Tippfehler'), 'the new title is shown');
	await navigates(sam, () => sam.getByRole('link', { name: 'Bearbeiten' }).click());
	await sam.getByLabel('Anfragetyp', { exact: true }).selectOption({ label: 'Sonstige Frage' });
	await navigates(sam, () => sam.getByRole('button', { name: 'Typ wählen' }).click());
	check(sam.url().includes('type='), `the type form is sent, at ${sam.url()}`);
	eq(await sam.getByLabel('Titel').inputValue(), 'Bearbeiten: Titel ohne Tippfehler', 'the title is mapped by key');
	await t.axe(sam, 'edit page for another type');
	await navigates(sam, () => sam.getByRole('button', { name: 'Änderungen speichern' }).click());
	check((await sam.locator('main').innerText()).includes('Anfragetyp geändert: Störungsmeldung → Sonstige Frage'),
	    'the type change is in the log');
	await sam.getByLabel('Schlüssel der anderen Anfrage').fill('ZEK-1');
	await navigates(sam, () => sam.getByRole('button', { name: 'Verknüpfen' }).click());
	check((await sam.getByRole('region', { name: 'Verknüpfte Anfragen' }).innerText()).includes('ZEK-1'), 'the link is shown');
	await t.axe(sam, 'agent request view with a link');
	await t.shot(sam, 'edited and linked request', { full: true });
});

test('rating', 'the satisfaction question of a closed request: no score refused at the field, 4 chosen by keyboard, thanks, "Ändern"; the agent sees it; axe on each state', async (t) => {
	const anna = await t.pageAs('anna@example.org');
	const path = await createQuickly(t, anna, 'Bewertung: Formular lädt langsam');
	const key = KEY_RE.exec(path)[1];
	const sam = await t.pageAs('support@example.org');
	await sam.goto(t.url(`/servicedesk/agent/requests/${key}`));
	await sam.getByLabel('Neuer Status').selectOption({ label: 'Schließen: Gelöst' });
	await sam.getByRole('button', { name: 'Status ändern' }).click();
	await sam.waitForLoadState();

	await anna.goto(t.url(path));
	const panel = anna.getByRole('region', { name: 'Ihre Zufriedenheit' });
	const question = panel.getByRole('group', { name: 'Wie zufrieden waren Sie mit der Bearbeitung?' });
	eq(await question.getByRole('radio').count(), 5, 'five scores to choose from');
	await t.axe(anna, 'request page with the rating question');
	// No score: the error next to the choices, the comment kept.
	await panel.getByLabel('Kommentar').fill('Hat etwas gedauert.');
	await panel.getByRole('button', { name: 'Bewertung senden' }).click();
	await anna.waitForLoadState();
	check((await anna.locator('#f-score-error').innerText()).includes('Bitte wählen Sie eine Bewertung von 1 bis 5.'),
	    'the missing score is named next to the choices');
	eq(await anna.getByLabel('Kommentar').inputValue(), 'Hat etwas gedauert.', 'the comment is kept');
	await t.axe(anna, 'rating question with an error');
	// By keyboard: the first score, arrow keys to the fourth, send.
	await anna.getByRole('radio', { name: '1 – sehr unzufrieden' }).focus();
	await anna.keyboard.press('Space');
	for (let i = 0; i < 3; i++)
		await anna.keyboard.press('ArrowDown');
	check(await anna.getByRole('radio', { name: '4 – zufrieden' }).isChecked(), 'arrow keys reach "4 – zufrieden"');
	await anna.getByRole('button', { name: 'Bewertung senden' }).focus();
	await anna.keyboard.press('Enter');
	await anna.waitForURL((u) => u.pathname === path && u.hash === '#rating');
	const done = await anna.getByRole('region', { name: 'Ihre Zufriedenheit' }).innerText();
	check(done.includes('Vielen Dank für Ihre Bewertung.') && done.includes('4 – zufrieden'), `thanks with the score, got "${done}"`);
	await t.axe(anna, 'rating given');
	await anna.getByText('Ändern', { exact: true }).click();
	check(await anna.getByRole('radio', { name: '4 – zufrieden' }).isChecked(), '"Ändern" starts from the given score');
	await t.axe(anna, 'rating being changed');
	await t.shot(anna, 'rating given and being changed', { full: true });

	await sam.goto(t.url(`/servicedesk/agent/requests/${key}`));
	const side = await sam.getByRole('region', { name: 'Zufriedenheit' }).innerText();
	check(side.includes('4 – zufrieden') && side.includes('4 von 5') && side.includes('Hat etwas gedauert.'),
	    `the agent sees the rating, got "${side}"`);
	await t.axe(sam, 'agent request view with a rating');
	await sam.goto(t.url('/servicedesk/agent/queues/closed?sort=updated'));
	check((await sam.locator('main').innerText()).includes('Bewertung: 4 – zufrieden'), 'the closed queue marks the rating');
	await t.axe(sam, 'closed queue with a rating');
});

test('snippets', 'canned responses: the page with an error at the field, a new one; inserted at the cursor with zek.js and into the kept text without; "Für wen?" found as one types; axe on each state', async (t) => {
	const sam = await t.pageAs('support@example.org');
	await sam.goto(t.url('/servicedesk/agent/snippets'));
	await t.axe(sam, 'snippets page');
	// No title: the error at the field, the text kept.
	const form = sam.getByRole('region', { name: 'Neuer Textbaustein' });
	await form.getByRole('textbox', { name: 'Text' }).fill('Hallo {{Name}}, Ihr Anliegen {{Referenz}} ist erledigt.');
	await form.getByRole('button', { name: 'Speichern' }).click();
	await sam.waitForLoadState();
	check((await sam.locator('#s-title-error').innerText()).length > 0, 'the missing title is named at the field');
	eq(await sam.getByRole('textbox', { name: 'Text' }).inputValue(), 'Hallo {{Name}}, Ihr Anliegen {{Referenz}} ist erledigt.', 'the text is kept');
	await t.axe(sam, 'snippets page with an error');
	await sam.getByRole('textbox', { name: 'Titel' }).fill('Erledigt-Browser');
	await sam.getByRole('button', { name: 'Speichern' }).click();
	await sam.waitForLoadState();
	check((await sam.locator('main').innerText()).includes('Erledigt-Browser'), 'the new snippet is listed');
	await sam.getByRole('link', { name: 'Erledigt-Browser' }).click();
	await sam.waitForLoadState();
	await t.axe(sam, 'one snippet');

	const anna = await t.pageAs('anna@example.org');
	const key = KEY_RE.exec(await createQuickly(t, anna, 'Textbaustein: Drucker offline'))[1];
	// With script: at the cursor, between what was typed.
	await sam.goto(t.url(`/servicedesk/agent/requests/${key}`));
	const reply = sam.locator('#f-comment');
	await reply.fill('Anfang\nEnde');
	await reply.evaluate((ta) => ta.setSelectionRange(6, 6));
	await sam.getByLabel('Textbaustein').selectOption({ label: 'Erledigt-Browser' });
	await sam.getByRole('button', { name: 'Einfügen', exact: true }).click();
	eq(await reply.inputValue(), `Anfang\n\nHallo Anna Schmidt, Ihr Anliegen ${key} ist erledigt.\nEnde`, 'inserted at the cursor, filled in');
	await t.axe(sam, 'reply form with a snippet (script)');
	// Without zek.js: the page comes back with the snippet after the text
	// (a browser that never gets zek.js, but can still run axe).
	const plain = await t.pageAs('support@example.org');
	await plain.route('**/static/*/zek.js', (route) => route.abort());
	await plain.goto(t.url(`/servicedesk/agent/requests/${key}`));
	await plain.locator('#f-comment').fill('Schon getippt.');
	await plain.getByLabel('Textbaustein').selectOption({ label: 'Erledigt-Browser' });
	await plain.getByRole('button', { name: 'Einfügen', exact: true }).click();
	await plain.waitForLoadState();
	eq(await plain.locator('#f-comment').inputValue(), `Schon getippt.\n\nHallo Anna Schmidt, Ihr Anliegen ${key} ist erledigt.`, 'kept text and the snippet without script');
	await t.axe(plain, 'reply form with a snippet (without zek.js)');

	// "Für wen?": people found while typing, chosen by their radio button.
	await openCreateForm(t, sam, 'Sonstige Frage');
	await sam.getByRole('searchbox', { name: 'Name oder E-Mail-Adresse' }).pressSequentially('YILM');
	const carla = sam.getByRole('radio', { name: 'Carla Yilmaz (carla@example.org)' });
	await carla.waitFor();
	await carla.check();
	await t.axe(sam, 'create form with people found');
});

test('reports', 'reports for staff: reached from the header, a period chosen by keyboard, an error at its field; charts are images with a name and a table beside; axe on each state', async (t) => {
	const sam = await t.pageAs('support@example.org');
	await sam.goto(t.url('/servicedesk/customer/portals'));
	await navigates(sam, () => sam.getByRole('link', { name: 'Berichte', exact: true }).click());
	eq((await sam.getByRole('heading', { level: 1 }).textContent()).trim(), 'Berichte', 'reports heading');
	await t.axe(sam, 'Berichte');
	await t.shot(sam, 'reports', { full: true });
	// The demo data make numbers: the weeks' table is not all zero.
	const weeks = await sam.getByRole('table', { name: 'Erstellt und erledigt je Woche' }).innerText();
	check(/\t[1-9]\d*\t/.test(weeks) || /\s[1-9]\d*\s/.test(weeks), `the demo data are counted, got "${weeks.slice(0, 200)}"`);
	const img = sam.getByRole('img', { name: 'Erstellt und erledigt je Woche', exact: true });
	check(await img.count() === 1, 'the weekly chart is an image named by its title');
	check((await sam.locator('svg desc').count()) >= 4, 'each chart has a description');
	// By keyboard: the type chosen, Tab to "Anzeigen", sent with Enter.
	await sam.getByLabel('Anfragetyp', { exact: true }).focus();
	await sam.keyboard.press('ArrowDown');
	await sam.keyboard.press('Tab');
	eq(await sam.evaluate(() => document.activeElement.textContent.trim()), 'Anzeigen', 'Tab reaches the button');
	await navigates(sam, () => sam.keyboard.press('Enter'));
	check(sam.url().includes('type=1'), `the type went with the form: ${sam.url()}`);
	eq(await sam.getByLabel('Anfragetyp', { exact: true }).inputValue(), '1', 'the type is kept');
	await t.axe(sam, 'Berichte for one type');
	// Three years: the error at "Von", the dates kept.
	await sam.getByLabel('Von', { exact: true }).fill('2020-01-01');
	await sam.getByLabel('Bis', { exact: true }).fill('2023-06-30');
	await navigates(sam, () => sam.getByRole('button', { name: 'Anzeigen' }).click());
	eq(await sam.getByLabel('Von', { exact: true }).getAttribute('aria-invalid'), 'true', '"Von" is marked invalid');
	check((await sam.locator('#r-from-error').innerText()).includes('731 Tage'), 'the limit is named at the field');
	eq(await sam.getByLabel('Bis', { exact: true }).inputValue(), '2023-06-30', 'the end is kept');
	await t.axe(sam, 'Berichte with an error');
	await t.shot(sam, 'reports with an error', { full: true });
});

test('people', 'customers and organisations for staff: axe on each page, an invitation and an organisation by keyboard', async (t) => {
	const sam = await t.pageAs('support@example.org');
	await sam.goto(t.url('/servicedesk/customer/portals'));
	await navigates(sam, () => sam.getByRole('link', { name: 'Kunden', exact: true }).click());
	eq((await sam.getByRole('heading', { level: 1 }).textContent()).trim(), 'Kunden', 'customers heading');
	await t.axe(sam, 'Kunden');
	// An empty list: the error is next to the field, and the page still passes.
	await sam.getByLabel('E-Mail-Adressen').focus();
	await navigates(sam, () => sam.getByRole('button', { name: 'Einladen' }).click());
	eq(await sam.getByLabel('E-Mail-Adressen').getAttribute('aria-invalid'), 'true', 'the list field is marked invalid');
	await t.axe(sam, 'Kunden, invitation with an error');
	await sam.getByLabel('E-Mail-Adressen').fill('paula.browser@example.org');
	await sam.getByLabel('Organisation (optional)').fill('Amt für Browser');
	await navigates(sam, () => sam.getByRole('button', { name: 'Einladen' }).click());
	check((await sam.getByRole('status').first().innerText()).includes('paula.browser@example.org'),
		'the result names the address');
	await t.axe(sam, 'Kunden, after an invitation');
	await navigates(sam, () => sam.getByRole('link', { name: 'Organisationen', exact: true }).first().click());
	await t.axe(sam, 'Organisationen');
	await sam.getByLabel('Name der Organisation').fill('Amt für Tastaturen');
	await navigates(sam, () => sam.keyboard.press('Enter'));
	eq((await sam.getByRole('heading', { level: 1 }).textContent()).trim(), 'Amt für Tastaturen', 'the new organisation');
	await sam.getByRole('textbox', { name: 'E-Mail-Adresse', exact: true }).fill('anna@example.org');
	await navigates(sam, () => sam.getByRole('button', { name: 'Hinzufügen' }).click());
	check((await sam.locator('main').innerText()).includes('Anna Schmidt'), 'Anna is a member');
	await t.axe(sam, 'Organisation with a member');

	const admin = await t.pageAs('admin@example.org');
	await admin.goto(t.url('/servicedesk/customer/portals'));
	await navigates(admin, () => admin.getByRole('link', { name: 'Team', exact: true }).click());
	await t.axe(admin, 'Team');
	await admin.getByRole('textbox', { name: 'E-Mail-Adresse' }).fill('admin@example.org');
	await navigates(admin, () => admin.getByRole('button', { name: 'Rolle vergeben' }).click());
	check((await admin.locator('#t-email-error').innerText()).includes('eigene Rolle'), 'one\'s own role is refused');
	await t.axe(admin, 'Team with an error');
	await navigates(admin, () => admin.getByRole('link', { name: 'Änderungsprotokoll' }).click());
	check((await admin.locator('main').innerText()).includes('Organisation angelegt'), 'the change log lists the new organisation');
	await t.axe(admin, 'Änderungsprotokoll');
});

test('errorpage', 'error page: 404 for an unknown page and an unknown request; axe', async (t) => {
	const page = await t.pageAs('anna@example.org');
	for (const path of ['/servicedesk/customer/gibt-es-nicht', `${PORTAL}/ZEK-999999`]) {
		const res = await page.goto(t.url(path));
		eq(res.status(), 404, `status of ${path}`);
		eq((await page.getByRole('heading', { level: 1 }).textContent()).trim(), 'Seite nicht gefunden', `heading of ${path}`);
		await t.axe(page, `error page ${path}`);
	}
	await page.getByRole('link', { name: 'Zurück' }).click();
	await page.waitForLoadState();
	check(!page.url().includes('ZEK-999999'), '"Zurück" leads away from the error');
});

// Last: the announcement it sets shows on every customer page until it is removed at the end.
test('admin', 'admin area by keyboard: help center, announcement with an error, a portal, the history; axe on each page, the announcement at 1366 and 390 px', async (t) => {
	const admin = await t.pageAs('admin@example.org');
	await admin.goto(t.url(PORTALS));
	await navigates(admin, () => admin.getByRole('link', { name: 'Administration', exact: true }).click());
	eq((await admin.getByRole('heading', { level: 1 }).textContent()).trim(), 'Administration', 'admin heading');
	await t.axe(admin, 'Administration');
	await navigates(admin, () => admin.getByRole('link', { name: 'Hilfecenter und Ankündigung' }).click());
	await t.axe(admin, 'Hilfecenter und Ankündigung');
	const text = admin.getByLabel('Text der Ankündigung (Deutsch) (optional)');
	await text.fill('Wartungsfenster am **Samstag**, 8–12 Uhr: Das Portal ist dann nicht erreichbar.');
	await admin.getByLabel('Zeigen ab (optional)').fill('2030-01-02T10:00');
	await admin.getByLabel('Zeigen bis (optional)').fill('2030-01-01T10:00');
	const save = admin.getByRole('button', { name: 'Speichern' });
	await tabTo(admin, save, 10);
	await navigates(admin, () => admin.keyboard.press('Enter'));
	const until = admin.getByLabel('Zeigen bis (optional)');
	eq(await until.getAttribute('aria-invalid'), 'true', 'the end is marked invalid');
	check((await admin.getByRole('alert').innerText()).includes('Das Ende muss nach dem Beginn liegen.'),
		'the summary says why');
	check((await text.inputValue()).startsWith('Wartungsfenster'), 'the text is kept');
	await t.axe(admin, 'Hilfecenter und Ankündigung with an error');
	await admin.getByRole('alert').getByRole('link').first().click();
	eq(await admin.evaluate(() => document.activeElement.id), 'a-until', 'the summary link moves the focus to the field');
	await until.fill('');
	await admin.getByLabel('Zeigen ab (optional)').fill('');
	await navigates(admin, () => save.click());
	check((await admin.getByRole('status').first().innerText()).includes('Die Änderungen sind gespeichert.'), 'saved');
	check((await admin.locator('main').innerText()).includes('Die Ankündigung wird gerade gezeigt.'), 'the page says it is shown');
	await t.axe(admin, 'Hilfecenter und Ankündigung, saved');

	const anna = await t.pageAs('anna@example.org');
	for (const width of [1366, 390]) {
		await anna.setViewportSize({ width, height: 800 });
		await anna.goto(t.url(PORTAL));
		const note = anna.getByRole('complementary', { name: 'Ankündigung' });
		check((await note.innerText()).includes('Wartungsfenster am Samstag'), `the announcement shows at ${width} px`);
		eq(await note.locator('strong').count(), 1, 'its Markdown is rendered');
		await t.axe(anna, `portal with the announcement at ${width} px`);
		await t.shot(anna, `announcement at ${width} px`);
	}

	await admin.goto(t.url('/servicedesk/admin/'));
	await navigates(admin, () => admin.getByRole('link', { name: 'Zentraler Eingangskanal für digitalisierte Verwaltungsleistungen' }).click());
	await t.axe(admin, 'Portal ZEK');
	await navigates(admin, () => admin.getByRole('link', { name: 'Administration', exact: true }).first().click());
	await navigates(admin, () => admin.getByRole('link', { name: 'Verlauf der Änderungen' }).click());
	check((await admin.locator('main').innerText()).includes('Ankündigung (Deutsch)'), 'the history lists the change');
	await t.axe(admin, 'Verlauf der Änderungen');

	// Removed again: gone from every customer page.
	await admin.goto(t.url('/servicedesk/admin/help-center'));
	await admin.getByLabel('Text der Ankündigung (Deutsch) (optional)').fill('');
	await navigates(admin, () => admin.getByRole('button', { name: 'Speichern' }).click());
	await anna.goto(t.url(PORTAL));
	eq(await anna.getByRole('complementary', { name: 'Ankündigung' }).count(), 0, 'no announcement after removing it');
});

test('admin-catalogue', 'catalogue by keyboard: add (duplicate refused at the field), search, rename, retire, the other tab, a CSV import; axe on each state', async (t) => {
	const admin = await t.pageAs('admin@example.org');
	await admin.goto(t.url('/servicedesk/admin/'));
	await navigates(admin, () => admin.getByRole('link', { name: 'Mandanten und Online-Dienste' }).click());
	eq((await admin.getByRole('heading', { level: 1 }).textContent()).trim(), 'Mandanten und Online-Dienste', 'catalogue heading');
	eq(await admin.getByRole('link', { name: 'Mandanten', exact: true }).getAttribute('aria-current'), 'page', 'the Mandanten tab is current');
	await t.axe(admin, 'Mandanten');

	const name = admin.getByLabel('Name', { exact: true });
	await name.fill('stadt musterstadt');
	const add = admin.getByRole('button', { name: 'Hinzufügen' });
	await tabTo(admin, add, 5);
	await navigates(admin, () => admin.keyboard.press('Enter'));
	eq(await name.getAttribute('aria-invalid'), 'true', 'a duplicate name is marked invalid');
	check((await admin.locator('main').innerText()).includes('gibt es in dieser Liste schon'), 'the page says why');
	eq(await name.inputValue(), 'stadt musterstadt', 'what was typed is kept');
	await t.axe(admin, 'Mandanten with an error');

	await name.fill('Gemeinde Browserdorf');
	await navigates(admin, () => add.click());
	check((await admin.getByRole('status').first().innerText()).includes('Der Eintrag ist hinzugefügt.'), 'added');

	await admin.getByRole('searchbox', { name: 'Einträge suchen' }).fill('browserdorf');
	await navigates(admin, () => admin.keyboard.press('Enter'));
	const rows = admin.locator('table.admin-catalogue tbody tr');
	eq(await rows.count(), 1, 'the search finds the one entry');
	const rename = admin.getByLabel('Neuer Name für „Gemeinde Browserdorf“');
	await rename.fill('Gemeinde Browserstadt');
	await navigates(admin, () => rename.press('Enter'));
	check((await admin.getByRole('status').first().innerText()).includes('Der Eintrag ist umbenannt.'), 'renamed');
	check((await admin.locator('main').innerText()).includes('Gemeinde Browserstadt'), 'the new name is listed');

	await admin.getByRole('searchbox', { name: 'Einträge suchen' }).fill('browserstadt');
	await navigates(admin, () => admin.keyboard.press('Enter'));
	await navigates(admin, () => admin.getByRole('button', { name: 'Stilllegen „Gemeinde Browserstadt“' }).click());
	check((await admin.getByRole('status').first().innerText()).includes('nicht mehr angeboten'), 'retired');
	await admin.getByRole('searchbox', { name: 'Einträge suchen' }).fill('browserstadt');
	await navigates(admin, () => admin.keyboard.press('Enter'));
	eq(await admin.getByRole('button', { name: 'Wieder anbieten „Gemeinde Browserstadt“' }).count(), 1, 'a retired entry can be offered again');
	await t.axe(admin, 'Mandanten with a retired entry');

	await navigates(admin, () => admin.getByRole('link', { name: 'Online-Dienste', exact: true }).click());
	eq(await admin.getByRole('link', { name: 'Online-Dienste', exact: true }).getAttribute('aria-current'), 'page', 'the Online-Dienste tab is current');
	await admin.getByLabel('CSV-Datei', { exact: true }).setInputFiles({
		name: 'dienste.csv', mimeType: 'text/csv',
		buffer: Buffer.from('kind,name\nOnline-Dienst,Browsertest-Dienst\n'),
	});
	await navigates(admin, () => admin.getByRole('button', { name: 'Einlesen' }).click());
	check((await admin.locator('main').innerText()).includes('Eingelesen: 1 neue Einträge.'), 'the import says what it took');
	await t.axe(admin, 'Online-Dienste after an import');

	await admin.getByLabel('CSV-Datei', { exact: true }).setInputFiles({
		name: 'kaputt.csv', mimeType: 'text/csv',
		buffer: Buffer.from('kind,name\nPlanet,Mars\n'),
	});
	await navigates(admin, () => admin.getByRole('button', { name: 'Einlesen' }).click());
	eq(await admin.getByLabel('CSV-Datei', { exact: true }).getAttribute('aria-invalid'), 'true', 'a bad file is marked at the field');
	check((await admin.locator('main').innerText()).includes('Zeile 2'), 'the error names the line');
	await t.axe(admin, 'Online-Dienste with a bad import');
});

test('admin-calendar', 'business hours by keyboard: every control reached with a visible focus; end before start refused at the field with the rest kept; Bavaria saved and its holidays listed; a closed day added and deleted; axe on each state', async (t) => {
	const admin = await t.pageAs('admin@example.org');
	await admin.goto(t.url('/servicedesk/admin/'));
	await navigates(admin, () => admin.getByRole('link', { name: 'Geschäftszeiten' }).click());
	eq((await admin.getByRole('heading', { level: 1 }).textContent()).trim(), 'Geschäftszeiten', 'calendar heading');
	await t.axe(admin, 'Geschäftszeiten');
	await tabWalk(t, admin, 'Geschäftszeiten');

	const days = admin.getByRole('group', { name: 'Arbeitstage' });
	await days.getByLabel('Samstag').focus();
	await admin.keyboard.press('Space');
	await admin.getByLabel('Beginn').fill('17:00');
	await admin.getByLabel('Ende').fill('08:00');
	const save = admin.getByRole('button', { name: 'Speichern' });
	await tabTo(admin, save, 40);
	await navigates(admin, () => admin.keyboard.press('Enter'));
	const end = admin.getByLabel('Ende');
	eq(await end.getAttribute('aria-invalid'), 'true', 'the end is marked invalid');
	check((await admin.getByRole('alert').innerText()).includes('Das Ende muss nach dem Beginn liegen.'), 'the summary says why');
	check(await days.getByLabel('Samstag').isChecked(), 'the ticked Saturday is kept');
	eq(await admin.getByLabel('Beginn').inputValue(), '17:00', 'the start is kept');
	await t.axe(admin, 'Geschäftszeiten with an error');
	await admin.getByRole('alert').getByRole('link').first().click();
	eq(await admin.evaluate(() => document.activeElement.id), 'a-end', 'the summary link moves the focus to the field');

	await admin.getByLabel('Beginn').fill('07:00');
	await end.fill('16:00');
	await admin.getByLabel('Bundesland').selectOption({ label: 'Bayern' });
	await navigates(admin, () => save.click());
	check((await admin.getByRole('status').first().innerText()).includes('Die Änderungen sind gespeichert.'), 'saved');
	const year = new Date().getFullYear();
	const bavaria = admin.getByRole('table', { name: `Feiertage ${year}: Bayern` });
	check((await bavaria.innerText()).includes('Fronleichnam'), 'Bavaria keeps Fronleichnam');
	await t.axe(admin, 'Geschäftszeiten, saved');

	await admin.getByLabel('Datum').fill(`${year + 1}-12-23`);
	await admin.getByLabel('Bezeichnung (optional)').fill('Betriebsferien');
	await navigates(admin, () => admin.getByLabel('Bezeichnung (optional)').press('Enter'));
	check((await admin.getByRole('status').first().innerText()).includes('Der Schließtag ist hinzugefügt.'), 'closed day added');
	await t.axe(admin, 'Geschäftszeiten with a closed day');
	const del = admin.getByRole('button', { name: `Löschen 23.12.${year + 1} „Betriebsferien“` });
	await tabTo(admin, del, 60);
	await navigates(admin, () => admin.keyboard.press('Enter'));
	check((await admin.getByRole('status').first().innerText()).includes('Der Schließtag ist gelöscht.'), 'closed day deleted');
	await t.shot(admin, 'Geschäftszeiten');
});

test('admin-mail', 'received e-mail by keyboard: the quarantine from the admin overview, the state filter without script, one message, "Verwerfen"; axe on each page', async (t) => {
	// A message from an address without an account, with an HTML part
	// that the page must show as text only.
	t.server.zekWith(['From: Dora Browser <dora.browser@example.net>', 'To: zek@zek.test',
		'Subject: Frage per E-Mail', 'Message-ID: <browser-mail-1@example.net>', 'MIME-Version: 1.0',
		'Content-Type: text/html; charset=utf-8', '',
		'<p>Wie komme ich an einen <b>Zugang</b>?</p><script>document.title="x"</script>', ''].join('\r\n'),
	'mail', 'receive');
	const admin = await t.pageAs('admin@example.org');
	await admin.goto(t.url('/servicedesk/admin/'));
	const entry = admin.getByRole('link', { name: /E-Mail-Eingang/ });
	check((await entry.evaluate((e) => e.textContent)).includes('1 in Quarantäne'), 'the entry counts the quarantine');
	await navigates(admin, () => entry.click());
	eq((await admin.getByRole('heading', { level: 1 }).textContent()).trim(), 'E-Mail-Eingang', 'mail heading');
	const table = admin.getByRole('table', { name: 'In Quarantäne' });
	check((await table.innerText()).includes('Unbekannter Absender'), 'the reason in words');
	await t.axe(admin, 'E-Mail-Eingang');

	const state = admin.getByLabel('Zustand', { exact: true });
	await state.focus();
	await state.selectOption({ label: 'Verarbeitet' });
	const show = admin.getByRole('button', { name: 'Anzeigen' });
	await tabTo(admin, show, 3);
	await navigates(admin, () => admin.keyboard.press('Enter'));
	check(admin.url().includes('state=done'), 'the filter is a plain GET form');
	await t.axe(admin, 'E-Mail-Eingang, Verarbeitet');

	await admin.goto(t.url('/servicedesk/admin/mail'));
	const link = admin.getByRole('link', { name: 'Frage per E-Mail' });
	await link.focus();
	await navigates(admin, () => admin.keyboard.press('Enter'));
	const main = await admin.locator('main').innerText();
	check(main.includes('Wie komme ich an einen Zugang?'), 'the text of the message');
	check(main.includes('Legen Sie ein Konto für den Absender an'), 'what to do');
	eq(await admin.locator('main b, main script').count(), 0, 'none of the mail\'s HTML on the page');
	await t.axe(admin, 'E-Mail');

	await admin.getByRole('button', { name: 'Erneut verarbeiten' }).focus();
	await tabTo(admin, admin.getByRole('button', { name: 'Verwerfen' }), 2);
	await navigates(admin, () => admin.keyboard.press('Enter'));
	check((await admin.getByRole('status').first().innerText()).includes('Die Nachricht wurde verworfen.'), 'discarded');
	eq(await admin.getByRole('button', { name: 'Verwerfen' }).count(), 0, 'no second discard');
	await t.axe(admin, 'E-Mail, verworfen');
});

test('admin-types', 'request types by keyboard: a group, a type, a select field and its options; errors at the fields; axe on each page and state', async (t) => {
	const admin = await t.pageAs('admin@example.org');
	await admin.goto(t.url('/servicedesk/admin/'));
	await navigates(admin, () => admin.getByRole('link', { name: 'Anfragetypen (ZEK)' }).click());
	eq((await admin.getByRole('heading', { level: 1 }).textContent()).trim(), 'Anfragetypen', 'types heading');
	await t.axe(admin, 'Anfragetypen');

	// A group without a name: the error at the field, the summary says why.
	const addGroup = admin.getByRole('region', { name: 'Gruppe hinzufügen' });
	const groupName = addGroup.getByLabel('Name (Deutsch)', { exact: true });
	await groupName.focus();
	await tabTo(admin, addGroup.getByRole('button', { name: 'Gruppe hinzufügen' }), 5);
	await navigates(admin, () => admin.keyboard.press('Enter'));
	eq(await admin.getByRole('region', { name: 'Gruppe hinzufügen' }).getByLabel('Name (Deutsch)', { exact: true }).getAttribute('aria-invalid'), 'true', 'the empty name is marked invalid');
	check((await admin.getByRole('alert').innerText()).includes('Bitte füllen Sie dieses Feld aus.'), 'the summary says why');
	await t.axe(admin, 'Anfragetypen with an error');
	await admin.getByRole('alert').getByRole('link').first().click();
	eq(await admin.evaluate(() => document.activeElement.id), 'ng-name_de', 'the summary link moves the focus to the field');
	await admin.keyboard.type('Browsergruppe');
	await navigates(admin, () => admin.keyboard.press('Enter'));
	check((await admin.getByRole('status').first().innerText()).includes('Die Gruppe ist hinzugefügt.'), 'group added');
	eq(await admin.getByRole('heading', { level: 2, name: 'Browsergruppe' }).count(), 1, 'the new group has its section');

	// A type in it: its page.
	const addType = admin.getByRole('region', { name: 'Anfragetyp hinzufügen' });
	await addType.getByLabel('Gruppe').selectOption({ label: 'Browsergruppe' });
	const typeName = addType.getByLabel('Name (Deutsch)', { exact: true });
	await typeName.fill('Browsertyp');
	await navigates(admin, () => typeName.press('Enter'));
	eq((await admin.getByRole('heading', { level: 1 }).textContent()).trim(), 'Browsertyp', 'the new type\'s page');
	check((await admin.getByRole('status').first().innerText()).includes('Der Anfragetyp ist angelegt'), 'type added');
	const typeId = admin.url().match(/\/types\/(\d+)/)[1];
	await t.axe(admin, 'Anfragetyp');

	// Its icon by arrow keys in the radio group, a description, saved.
	await admin.getByRole('radio', { name: 'Kein Symbol' }).focus();
	await admin.keyboard.press('ArrowDown');
	await admin.keyboard.press('ArrowDown');
	eq(await admin.getByRole('radio', { name: 'Anforderung' }).isChecked(), true, 'arrow keys choose the icon');
	await admin.getByLabel('Beschreibung (Deutsch) (optional)').fill('Ein Anfragetyp aus dem Browsertest.');
	await navigates(admin, () => admin.getByRole('button', { name: 'Speichern' }).click());
	check((await admin.getByRole('status').first().innerText()).includes('Die Änderungen sind gespeichert.'), 'type saved');

	// A select with two options, required.
	const addField = admin.getByRole('region', { name: 'Feld hinzufügen' });
	await addField.getByLabel('Art', { exact: true }).selectOption({ label: 'Auswahlliste' });
	await addField.getByLabel('Beschriftung (Deutsch)', { exact: true }).fill('Dringlichkeit');
	await addField.getByRole('checkbox', { name: 'Pflichtfeld' }).check();
	await addField.getByLabel('Auswahlmöglichkeiten (optional)').fill('Hoch | High\nNiedrig | Low');
	await navigates(admin, () => addField.getByRole('button', { name: 'Feld hinzufügen' }).click());
	eq((await admin.getByRole('heading', { level: 1 }).textContent()).trim(), 'Dringlichkeit', 'the new field\'s page');
	await t.axe(admin, 'Feld with options');

	// An option renamed in its row by keyboard, another retired; the last one stays.
	const rename = admin.getByLabel('Beschriftung (Deutsch) für „Hoch“');
	await rename.fill('Sehr hoch');
	await navigates(admin, () => rename.press('Enter'));
	check((await admin.getByRole('status').first().innerText()).includes('Die Auswahlmöglichkeit ist umbenannt.'), 'option renamed');
	await navigates(admin, () => admin.getByRole('button', { name: 'Stilllegen „Niedrig“' }).click());
	check((await admin.getByRole('status').first().innerText()).includes('nicht mehr angeboten'), 'option retired');
	const retire = admin.getByRole('button', { name: 'Stilllegen „Sehr hoch“' });
	await tabTo(admin, retire, 40);
	await navigates(admin, () => admin.keyboard.press('Enter'));
	check((await admin.getByRole('alert').innerText()).includes('mindestens eine angebotene Auswahlmöglichkeit'), 'the last option on offer stays');
	await t.axe(admin, 'Feld with an error');
	eq(await admin.getByRole('button', { name: 'Wieder anbieten „Niedrig“' }).count(), 1, 'a retired option can be offered again');

	// The customer sees the type with its required select.
	const anna = await t.pageAs('anna@example.org');
	await anna.goto(t.url(`${PORTAL}/create/${typeId}`));
	eq((await anna.getByRole('heading', { level: 1 }).textContent()).trim(), 'Browsertyp', 'the customer\'s form of the new type');
	const select = anna.getByLabel(/Dringlichkeit/);
	eq(await select.locator('option').allTextContents().then((o) => o.filter((x) => x.trim() === 'Sehr hoch').length), 1, 'the renamed option is offered');
	eq(await select.locator('option', { hasText: 'Niedrig' }).count(), 0, 'the retired option is not');
});

test('timezones', 'the time zone picker as the guide shows it: the default first, "(GMT+05:30) Kolkata" chosen by keyboard, times follow; axe', async (t) => {
	const page = await t.pageAs('ben@example.org');
	await page.goto(t.url('/servicedesk/customer/user/profile'));
	const zone = page.getByLabel('Zeitzone', { exact: true });
	const first = await zone.locator('option').first();
	eq((await first.textContent()).trim(), 'Standard (Europe/Berlin)', 'the default is the first choice');
	eq(await zone.inputValue(), 'Europe/Berlin', 'the default is chosen');
	const texts = await zone.locator('option').allTextContents();
	check(texts.includes('(GMT+05:30) Kolkata') && texts.includes('(GMT+02:00) Kyiv'), 'current names with their offsets');
	check(!texts.some((x) => /Calcutta|Kiev\b/.test(x)), 'no old names');
	await t.axe(page, 'profile with the zone picker');
	await zone.focus();
	await zone.selectOption({ label: '(GMT+05:30) Kolkata' });
	const save = page.locator('form[action$="/preferences"]').getByRole('button', { name: 'Speichern' });
	await tabTo(page, save, 5);
	await navigates(page, () => page.keyboard.press('Enter'));
	const again = page.getByLabel('Zeitzone', { exact: true });
	eq(await again.inputValue(), 'Asia/Kolkata', 'Kolkata is kept');
	const hm = (ms) => new Intl.DateTimeFormat('de-DE', { timeZone: 'Asia/Kolkata', hour: '2-digit', minute: '2-digit' }).format(ms);
	const shown = await page.locator('#s-now').textContent();
	check([hm(Date.now()), hm(Date.now() - 60000)].some((x) => shown.includes(x)), `"now" is shown in Kolkata: ${shown}`);
	await t.shot(page, 'time zone Kolkata');
	await again.selectOption({ label: 'Standard (Europe/Berlin)' });
	await navigates(page, () => page.locator('form[action$="/preferences"]').getByRole('button', { name: 'Speichern' }).click());
	eq(await page.getByLabel('Zeitzone', { exact: true }).inputValue(), 'Europe/Berlin', 'back to the default');
});

test('token-created', 'a new access token gets the focus in sight, "Kopieren" copies it; the button keeps off the next heading at 1366 and 390 px; axe', async (t) => {
	const page = await t.pageAs('carla@example.org');
	await page.context().grantPermissions(['clipboard-read', 'clipboard-write']);
	for (const width of [1366, 390]) {
		await page.setViewportSize({ width, height: 800 });
		await page.goto(t.url('/servicedesk/customer/user/profile'));
		const create = page.getByRole('button', { name: 'Erstellen' });
		const below = page.getByRole('heading', { name: 'Ihre Token' });
		const gap = (await below.boundingBox()).y - ((await create.boundingBox()).y + (await create.boundingBox()).height);
		check(gap >= 24, `"Erstellen" keeps ${gap} px off the next heading at ${width} px`);
		await page.getByLabel('Name', { exact: true }).fill(`Browser ${width}`);
		await create.focus();
		await navigates(page, () => page.keyboard.press('Enter'));
		const inSight = await page.waitForFunction(() => {
			const r = document.getElementById('t-new').getBoundingClientRect();
			return document.activeElement.id === 't-new' && r.top >= 0 && r.bottom <= innerHeight;
		}, null, { timeout: 3000 }).then(() => true, () => false);
		check(inSight, `the new token has the focus, in sight, at ${width} px`);
		const value = await page.locator('#t-new').inputValue();
		await page.getByRole('button', { name: 'Kopieren' }).click();
		await page.waitForFunction(() => document.querySelector('.copy__status').textContent !== '', null, { timeout: 3000 });
		eq((await page.locator('.copy__status').textContent()).trim(), 'Kopiert.', 'copying is announced');
		eq(await page.evaluate(() => navigator.clipboard.readText()), value, 'the token is on the clipboard');
		await t.axe(page, `profile with a new token at ${width} px`);
		await t.shot(page, `new token at ${width} px`);
	}
});

test('filesize', 'a file over the limit is refused at once, next to the field, before anything is sent; the others are kept; axe', async (t) => {
	const page = await t.pageAs('anna@example.org');
	const big = { name: 'gross.pdf', mimeType: 'application/pdf', buffer: Buffer.alloc(10.5 * 1024 * 1024, 0x25) };
	const small = { name: 'klein.txt', mimeType: 'text/plain', buffer: Buffer.from(LOG_TEXT) };
	let uploads = 0;
	page.on('request', (r) => { if (r.method() === 'POST') uploads++; });
	await page.goto(t.url(`${PORTAL}/create/1`));
	await page.locator('input[type="file"]').setInputFiles([big, small]);
	const refusal = page.locator('.field--attachment .field__error');
	await refusal.waitFor();
	const text = (await refusal.textContent()).trim();
	check(/Die Datei „gross\.pdf“ ist zu groß\. Erlaubt sind höchstens .+ je Datei\./.test(text), `the limit is named: ${text}`);
	eq(uploads, 0, 'nothing was sent');
	const browse = page.getByRole('button', { name: /Anhang/ }).first();
	eq(await browse.getAttribute('aria-invalid'), 'true', 'the control is marked invalid');
	const files = await page.locator('.filelist__name').allTextContents();
	eq(files.join(','), 'klein.txt', 'the file within the limit is kept, the big one not');
	await t.axe(page, 'create form with a file over the limit');
	await t.shot(page, 'file over the limit');
	// Choosing a fitting file clears the message.
	await page.locator('input[type="file"]').setInputFiles([{ name: 'noch.txt', mimeType: 'text/plain', buffer: Buffer.from('x') }]);
	check(await refusal.isHidden(), 'the message goes with the next choice');
});

test('help-search', '"Wie können wir helfen?" on the help center by keyboard: request types and own requests; at 1366 and 390 px; axe', async (t) => {
	const page = await t.pageAs('anna@example.org');
	for (const width of [1366, 390]) {
		await page.setViewportSize({ width, height: 800 });
		await page.goto(t.url(PORTALS));
		const box = page.getByRole('searchbox', { name: 'Wie können wir helfen?' });
		await tabTo(page, box, 12);
		await page.keyboard.type('storung');
		await navigates(page, () => page.keyboard.press('Enter'));
		const results = page.getByRole('region', { name: 'Suchergebnisse für „storung“' });
		const types = await results.locator('.type-card__link').allTextContents();
		eq(types.join(','), 'Störungsmeldung', `the type is found without its umlaut at ${width} px`);
		eq(await page.getByRole('searchbox', { name: 'Wie können wir helfen?' }).inputValue(), 'storung', 'the search stays in the box');
		await t.axe(page, `help center search at ${width} px`);
		await t.shot(page, `help center search at ${width} px`);
	}
	await navigates(page, () => page.getByRole('link', { name: 'Störungsmeldung' }).click());
	check(page.url().includes('/create/1'), 'the hit leads to its form');
});

test('toolbar', 'the rich-text toolbar as the guide has it: heading, numbered list and quote, shortcuts announced (Ctrl+B, Ctrl+I, Ctrl+K); the request shows them; axe', async (t) => {
	const page = await t.pageAs('anna@example.org');
	await page.goto(t.url(`${PORTAL}/create/4`));
	const ta = page.getByLabel('Beschreibung', { exact: false }).first();
	const bar = page.getByRole('group', { name: 'Formatierung' }).first();
	const names = await bar.getByRole('button').evaluateAll((bs) => bs.map((b) => b.getAttribute('aria-label')));
	for (const n of ['Überschrift', 'Fett', 'Kursiv', 'Aufzählung', 'Nummerierte Liste', 'Zitat', 'Link einfügen'])
		check(names.includes(n), `the toolbar has "${n}"`);
	eq(await bar.getByRole('button', { name: 'Fett' }).getAttribute('aria-keyshortcuts'), 'Control+B Meta+B', 'Ctrl+B is announced');
	eq(await bar.getByRole('button', { name: 'Link einfügen' }).getAttribute('aria-keyshortcuts'), 'Control+K Meta+K', 'Ctrl+K is announced');
	await ta.fill('Schritt eins\nSchritt zwei');
	await ta.evaluate((el) => el.setSelectionRange(0, el.value.length));
	await bar.getByRole('button', { name: 'Nummerierte Liste' }).click();
	eq(await ta.inputValue(), '1. Schritt eins\n2. Schritt zwei', 'numbered');
	await ta.evaluate((el) => el.setSelectionRange(0, el.value.length));
	await bar.getByRole('button', { name: 'Nummerierte Liste' }).click();
	eq(await ta.inputValue(), 'Schritt eins\nSchritt zwei', 'numbering taken away again');
	await ta.fill('Wichtig\nZitierter Satz');
	await ta.evaluate((el) => el.setSelectionRange(0, 3));
	await bar.getByRole('button', { name: 'Überschrift' }).click();
	await ta.evaluate((el) => el.setSelectionRange(el.value.length - 3, el.value.length));
	await bar.getByRole('button', { name: 'Zitat' }).click();
	eq(await ta.inputValue(), '## Wichtig\n> Zitierter Satz', 'heading and quote');
	await ta.press('End');
	await ta.press('Enter');
	await ta.press('Control+k');
	check((await ta.inputValue()).endsWith('(https://)'), 'Ctrl+K inserts a link');
	await t.axe(page, 'create form with the whole toolbar');
	await ta.fill('## Wichtig\n\n1. eins\n2. zwei\n\n> Zitat');
	await page.getByLabel('Titel').fill('Formatierung aus der Werkzeugleiste');
	await navigates(page, () => page.getByRole('button', { name: 'Erstellen' }).click());
	const md = page.locator('.md').first();
	eq(await md.locator('ol > li').count(), 2, 'the numbered list is shown');
	eq(await md.locator('blockquote').count(), 1, 'the quote is shown');
	check(await md.locator('h1, h2, h3, h4, h5, h6').count() >= 1, 'the heading is shown');
});

test('header', 'the header: one compact row on a phone, the person\'s menu ("Profil", "Abmelden") by keyboard, closed by Escape, and without zek.js; axe at 1366 and 390 px', async (t) => {
	const page = await t.pageAs('anna@example.org');
	for (const width of [1366, 390]) {
		await page.setViewportSize({ width, height: 800 });
		await page.goto(t.url(PORTAL));
		const header = await page.locator('.site-header').boundingBox();
		if (width === 390)
			check(header.height <= 80, `the header takes ${header.height} px of 800 on a phone`);
		const menu = page.locator('summary.user-menu__summary');
		const nameBox = await page.locator('.user-menu__name').boundingBox();
		eq(nameBox.width > 1, width === 1366, `the name is shown at ${width} px only where there is room`);
		await tabTo(page, menu, 8);
		await page.keyboard.press('Enter');
		const profile = page.getByRole('link', { name: 'Profil', exact: true });
		check(await profile.isVisible(), `the menu opens by keyboard at ${width} px`);
		check(await page.getByRole('button', { name: 'Abmelden' }).isVisible(), 'Abmelden is in it');
		await t.axe(page, `portal with the open menu at ${width} px`);
		await t.shot(page, `header menu at ${width} px`);
		await page.keyboard.press('Tab');
		await page.keyboard.press('Escape');
		check(!(await profile.isVisible()), 'Escape closes it');
		eq(await page.evaluate(() => document.activeElement.classList.contains('user-menu__summary')), true, 'the focus is back on the menu button');
	}
	await page.locator('summary.user-menu__summary').click();
	await navigates(page, () => page.getByRole('link', { name: 'Profil', exact: true }).click());
	check(page.url().endsWith('/servicedesk/customer/user/profile'), 'Profil leads to the profile');

	// Without zek.js the disclosure still opens, and Abmelden signs out
	// (a session of its own: the other tests' Anna stays signed in).
	const plain = await t.page({ javaScriptEnabled: false });
	await plain.goto(t.url(LOGIN));
	await plain.getByLabel('E-Mail-Adresse').fill('anna@example.org');
	await plain.getByLabel('Passwort').fill('demo');
	await navigates(plain, () => plain.getByRole('button', { name: 'Anmelden' }).click());
	await plain.goto(t.url(PORTAL));
	await plain.locator('summary.user-menu__summary').click();
	await navigates(plain, () => plain.getByRole('button', { name: 'Abmelden' }).click());
	check(plain.url().includes('/login'), 'signed out without JavaScript');
});

test('admin-config', 'configuration export and import: the page, a bad file refused at the field, the plan of a changed file, "Übernehmen" by keyboard; axe on each state', async (t) => {
	const admin = await t.pageAs('admin@example.org');
	await admin.goto(t.url('/servicedesk/admin/'));
	await navigates(admin, () => admin.getByRole('link', { name: 'Konfiguration exportieren und einlesen' }).click());
	eq((await admin.getByRole('heading', { level: 1 }).textContent()).trim(), 'Konfiguration exportieren und einlesen', 'config heading');
	await t.axe(admin, 'Konfiguration exportieren und einlesen');

	const file = admin.getByLabel('JSON-Datei', { exact: true });
	await file.setInputFiles({ name: 'kaputt.json', mimeType: 'application/json', buffer: Buffer.from('kein JSON') });
	await navigates(admin, () => admin.getByRole('button', { name: 'Änderungen anzeigen' }).click());
	eq(await admin.getByLabel('JSON-Datei', { exact: true }).getAttribute('aria-invalid'), 'true', 'a bad file is marked at the field');
	check((await admin.locator('#c-file-error').innerText()).includes('kein gültiges JSON'), 'the error says why');
	await t.axe(admin, 'Konfiguration with a bad file');

	const doc = JSON.parse(await (await admin.request.get(t.url('/servicedesk/admin/config/export'))).text());
	doc.desks[0].groups[0].types[3].name_en = 'Any other question';
	doc.help_center.title_de = 'Hilfe und Kontakt';
	await admin.getByLabel('JSON-Datei', { exact: true }).setInputFiles({
		name: 'zek-config.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(doc)),
	});
	await navigates(admin, () => admin.getByRole('button', { name: 'Änderungen anzeigen' }).click());
	eq((await admin.getByRole('heading', { level: 1 }).textContent()).trim(), 'Änderungen prüfen', 'preview heading');
	const plan = admin.getByRole('table', { name: /Geplante Änderungen/ });
	eq(await plan.locator('tbody tr').count(), 2, 'the plan has two lines');
	check((await plan.innerText()).includes('Any other question'), 'the plan shows the new name');
	await t.axe(admin, 'Änderungen prüfen');
	const apply = admin.getByRole('button', { name: 'Übernehmen' });
	await tabTo(admin, apply, 40);
	await navigates(admin, () => admin.keyboard.press('Enter'));
	check((await admin.getByRole('status').first().innerText()).includes('Die Konfiguration ist eingelesen.'), 'applied');
	await t.axe(admin, 'Konfiguration, applied');
});

test('list-layout', '"Anfragen": a long type stays in its column, one service project needs no column, a card per request on a phone without sideways scrolling, sorted by "Zuletzt aktualisiert"; axe at 1366 and 390 px', async (t) => {
	const page = await t.pageAs('anna@example.org');
	await page.setViewportSize({ width: 1366, height: 800 });
	await page.goto(t.url(`${REQUESTS}?status=all&creator=any&limit=50`));
	const heads = await page.locator('table.request-table th[scope="col"]').allTextContents();
	check(!heads.includes('Service-Projekt'), 'no Service-Projekt column with one project');
	const rows = page.locator('table.request-table tbody tr');
	const n = await rows.count();
	check(n > 5, `rows: ${n}`);
	for (let i = 0; i < n; i++) {
		const type = await rows.nth(i).locator('td').nth(0).locator('span').boundingBox();
		const key = await rows.nth(i).locator('td').nth(1).boundingBox();
		check(type.x + type.width <= key.x, `row ${i}: the type ends before the Referenz column`);
		const row = await rows.nth(i).boundingBox();
		check(row.height < 90, `row ${i} is ${row.height} px tall`);
	}
	await t.axe(page, 'Anfragen at 1366 px');
	await t.shot(page, 'Anfragen at 1366 px');
	await page.setViewportSize({ width: 390, height: 800 });
	await page.goto(t.url(`${REQUESTS}?status=all&creator=any`));
	eq(await page.evaluate(() => document.documentElement.scrollWidth <= innerWidth), true, 'nothing scrolls sideways at 390 px');
	check(await page.locator('table.request-table').isHidden(), 'the table gives way to cards');
	const card = page.locator('.request-card').first();
	check(await card.isVisible(), 'cards are shown');
	const text = await card.innerText();
	check(/ZEK-\d+/.test(text) && /erstellt am \d\d\.\d\d\.\d{4}/.test(text), `a card has key and date: ${text}`);
	check(await card.locator('.lozenge').isVisible(), 'and the status');
	await t.axe(page, 'Anfragen at 390 px');
	await t.shot(page, 'Anfragen at 390 px');

	// "Zuletzt aktualisiert", as JSM offers: chosen in the filter form, kept in the URL;
	// a column (a line on the card) says when.
	await page.setViewportSize({ width: 1366, height: 800 });
	await page.goto(t.url(`${REQUESTS}?status=all&creator=any`));
	await page.getByLabel('Sortierung').selectOption({ label: 'Zuletzt aktualisiert' });
	await page.getByRole('button', { name: 'Filtern' }).click();
	await page.waitForURL((u) => u.searchParams.get('sort') === 'updated');
	const sorted = await page.locator('table.request-table th[scope="col"]').allTextContents();
	check(sorted.includes('Aktualisiert'), `an "Aktualisiert" column: ${sorted}`);
	eq(await page.getByLabel('Sortierung').inputValue(), 'updated', 'the order stays chosen');
	await t.axe(page, 'Anfragen by last update at 1366 px');
	await t.shot(page, 'Anfragen by last update at 1366 px');
	await page.setViewportSize({ width: 390, height: 800 });
	await page.reload();
	eq(await page.evaluate(() => document.documentElement.scrollWidth <= innerWidth), true, 'nothing scrolls sideways at 390 px, sorted');
	const first = await page.locator('.request-card').first().innerText();
	check(/aktualisiert am \d\d\.\d\d\.\d{4}/.test(first), `a card says when it changed: ${first}`);
	await t.axe(page, 'Anfragen by last update at 390 px');
});

// Issue 19: the session ends while a request and then a comment are typed (the session
// cookie is gone, as after 8 idle hours or clearing cookies). "Erstellen" and "Hinzufügen"
// lead to the login page, which says the input is saved; after signing in the same form is
// back, filled in with its file, and says so; nothing is sent until the person sends it.
// axe runs in the page, so only the run with JavaScript checks these pages with it; the
// run without gets screenshots of the same states.
async function keptFormFlow(t, jsOn) {
	const how = jsOn ? '' : ' without JavaScript';
	const page = await t.page({ javaScriptEnabled: jsOn });
	const look = (label) => (jsOn ? t.axe(page, label) : t.shot(page, label, { full: true }));
	const ctx = page.context();
	const endSession = () => ctx.clearCookies({ name: 'zek_session' });
	const signInAgain = async () => {
		await page.waitForURL((u) => u.pathname === LOGIN);
		const notice = await page.getByRole('status').innerText();
		check(notice.includes('Ihre Sitzung war abgelaufen') && notice.includes('Ihre Eingaben sind gespeichert'),
			`the login page says the input is saved, says "${notice}"`);
		await look(`login after the session ended${how}`);
		await page.getByLabel('E-Mail-Adresse').fill('anna@example.org');
		await page.getByLabel('Passwort').fill('demo');
		await page.getByRole('button', { name: 'Anmelden' }).click();
		await page.waitForLoadState();
		const back = await page.getByRole('status').innerText();
		check(back.includes('Ihre Eingaben wurden wiederhergestellt'), `the form says it was restored, says "${back}"`);
	};
	await t.login(page, 'anna@example.org');
	await openCreateForm(t, page, 'Sonstige Frage');
	const title = `Sitzung abgelaufen${how}`;
	await page.getByRole('textbox', { name: 'Titel' }).fill(title);
	await page.locator('textarea[name="description"]').fill('Lange getippt, dann **Mittagspause**.');
	await page.locator('input[type="file"][name="attachment"]').setInputFiles([
		{ name: 'vorher.txt', mimeType: 'text/plain', buffer: Buffer.from(LOG_TEXT) },
	]);
	const form = page.url();
	await endSession();
	await page.getByRole('button', { name: 'Erstellen' }).click();
	await signInAgain();
	eq(page.url(), form, 'back on the create form after signing in');
	eq(await page.getByRole('textbox', { name: 'Titel' }).inputValue(), title, 'the title is back');
	eq(await page.locator('textarea[name="description"]').inputValue(), 'Lange getippt, dann **Mittagspause**.', 'the description is back');
	check((await page.locator('.kept-files').innerText()).includes('vorher.txt'), 'the chosen file is back');
	await look(`create form restored${how}`);
	await page.getByRole('button', { name: 'Erstellen' }).click();
	await page.waitForURL(KEY_RE);
	eq((await page.getByRole('heading', { level: 1 }).textContent()).trim(), title, 'the request was created');
	check((await page.locator('main').innerText()).includes('vorher.txt'), 'with the file chosen before');

	// The same for a comment on the request page.
	const request = page.url();
	if (jsOn)
		await page.getByRole('button', { name: 'Einen Kommentar zu dieser Anfrage hinzufügen ...' }).click();
	const text = `Noch ein Hinweis${how}`;
	await page.getByRole('textbox', { name: 'Kommentar' }).fill(text);
	await endSession();
	await page.getByRole('button', { name: 'Hinzufügen' }).click();
	await signInAgain();
	eq(page.url(), request, 'back on the request page after signing in');
	check(await page.locator('.comment-form').isVisible(), 'the comment form is open');
	eq(await page.getByRole('textbox', { name: 'Kommentar' }).inputValue(), text, 'the comment is back');
	check(!(await page.locator('#activity').innerText()).includes(text), 'the comment was not sent by itself');
	await look(`request page with the comment restored${how}`);
	await page.getByRole('button', { name: 'Hinzufügen' }).click();
	await page.waitForURL((u) => u.href.startsWith(request));
	await page.locator('#activity').getByText(text).waitFor();
	await t.shot(page, `comment sent after signing in again${how}`, { full: true });
}

test('kept', 'the session ends while typing: the request and the comment come back after signing in (issue 19); axe', async (t) => {
	await keptFormFlow(t, true);
});

test('kept-nojs', 'the same without JavaScript: the form is kept on the server (issue 19); axe', async (t) => {
	await keptFormFlow(t, false);
});

process.exitCode = await main();
