/* zek customer portal: progressive enhancement. Every page works without this file. */
'use strict';

(() => {
	const doc = document;
	doc.documentElement.classList.add('js');

	/* ---------- Helpers ---------- */

	// Translated strings come from data-* attributes of #zek-i18n (partials/js-strings).
	const strings = (() => {
		const el = doc.getElementById('zek-i18n');
		return el ? el.dataset : {};
	})();

	// "{name} entfernen" + {name: "a.png"} -> "a.png entfernen"
	function t(key, vars) {
		let s = strings[key] || '';
		if (vars) {
			s = s.replace(/\{(\w+)\}/g, (m, k) =>
				Object.prototype.hasOwnProperty.call(vars, k) ? String(vars[k]) : m);
		}
		return s;
	}

	function el(tag, attrs, ...children) {
		const node = doc.createElement(tag);
		for (const [k, v] of Object.entries(attrs || {})) {
			if (v === null || v === undefined || v === false)
				continue;
			if (k === 'class')
				node.className = v;
			else if (k === 'text')
				node.textContent = v;
			else
				node.setAttribute(k, v === true ? '' : String(v));
		}
		for (const c of children) {
			if (c !== null && c !== undefined)
				node.append(c);
		}
		return node;
	}

	let uid = 0;
	function newId(prefix) {
		uid += 1;
		return `${prefix}-${uid}`;
	}

	function debounce(fn, ms) {
		let timer = 0;
		return (...args) => {
			clearTimeout(timer);
			timer = setTimeout(() => fn(...args), ms);
		};
	}

	// One polite live region per page for short announcements.
	let liveRegion = null;
	function announce(text) {
		if (!text)
			return;
		if (!liveRegion) {
			liveRegion = el('div', { class: 'visually-hidden', 'aria-live': 'polite', 'aria-atomic': 'true' });
			doc.body.append(liveRegion);
		}
		// Clear first so that the same text twice is announced twice.
		liveRegion.textContent = '';
		setTimeout(() => { liveRegion.textContent = text; }, 50);
	}

	function formatBytes(n) {
		if (n < 1024)
			return t('bytesB', { n });
		if (n < 1024 * 1024)
			return t('bytesKib', { n: Math.max(1, Math.round(n / 1024)) });
		const mib = n / (1024 * 1024);
		const lang = doc.documentElement.lang || 'de';
		return t('bytesMib', { n: mib.toLocaleString(lang, { maximumFractionDigits: 1 }) });
	}

	function csrfToken(form) {
		const input = form && form.querySelector('input[name="csrf"]');
		return input ? input.value : '';
	}

	// Enhanced controls replace hidden originals; links to the original (#f-mandant in the
	// error summary) focus the replacement instead.
	const focusProxies = new Map();

	function focusField(id) {
		const target = doc.getElementById(id);
		if (!target)
			return false;
		const visible = focusProxies.get(id) || target;
		const label = doc.querySelector(`label[for="${CSS.escape(visible.id || id)}"]`);
		const legend = visible.closest('fieldset') && visible.closest('fieldset').querySelector('legend');
		const anchor = legend || label || visible;
		anchor.scrollIntoView({ block: 'start' });
		visible.focus({ preventScroll: true });
		return true;
	}

	/* ---------- Error summary ---------- */

	function initErrorSummary() {
		const summary = doc.querySelector('.error-summary');
		if (!summary)
			return;
		summary.focus();
		summary.addEventListener('click', (e) => {
			const a = e.target.closest('a[href^="#"]');
			if (!a)
				return;
			if (focusField(decodeURIComponent(a.getAttribute('href').slice(1))))
				e.preventDefault();
		});
	}

	/* ---------- Forms: no double submit ---------- */

	function initSubmitGuard() {
		for (const form of doc.querySelectorAll('form[method="post"]')) {
			form.addEventListener('submit', (e) => {
				if (form.dataset.submitting) {
					e.preventDefault();
					return;
				}
				form.dataset.submitting = '1';
			});
		}
		// Back/forward cache restores the page with the flag set.
		window.addEventListener('pageshow', () => {
			for (const form of doc.querySelectorAll('form[data-submitting]'))
				delete form.dataset.submitting;
		});
	}

	/* ---------- Portal page: request-type groups as tabs (WAI-ARIA tabs) ---------- */

	function initTabs(container) {
		const panels = Array.from(container.querySelectorAll(':scope > .group'));
		if (panels.length < 2)
			return;
		const list = el('div', { class: 'tabs__list', role: 'tablist', 'aria-label': container.dataset.tabsLabel || null });
		const tabs = panels.map((panel) => {
			const heading = panel.querySelector('.group__heading');
			const tab = el('button', {
				type: 'button',
				class: 'tabs__tab',
				role: 'tab',
				id: `${panel.id}-tab`,
				'aria-controls': panel.id,
				'aria-selected': 'false',
				tabindex: '-1',
				text: heading ? heading.textContent : panel.id,
			});
			panel.setAttribute('role', 'tabpanel');
			panel.setAttribute('aria-labelledby', tab.id);
			panel.setAttribute('tabindex', '0');
			list.append(tab);
			return tab;
		});

		function select(index, focus, updateUrl) {
			tabs.forEach((tab, i) => {
				const on = i === index;
				tab.setAttribute('aria-selected', on ? 'true' : 'false');
				tab.tabIndex = on ? 0 : -1;
				panels[i].hidden = !on;
			});
			if (focus)
				tabs[index].focus();
			if (updateUrl && history.replaceState)
				history.replaceState(null, '', `#${panels[index].id}`);
		}

		list.addEventListener('click', (e) => {
			const tab = e.target.closest('[role="tab"]');
			if (tab)
				select(tabs.indexOf(tab), true, true);
		});
		list.addEventListener('keydown', (e) => {
			const current = tabs.indexOf(doc.activeElement);
			if (current < 0)
				return;
			let next = -1;
			if (e.key === 'ArrowRight' || e.key === 'ArrowDown')
				next = (current + 1) % tabs.length;
			else if (e.key === 'ArrowLeft' || e.key === 'ArrowUp')
				next = (current - 1 + tabs.length) % tabs.length;
			else if (e.key === 'Home')
				next = 0;
			else if (e.key === 'End')
				next = tabs.length - 1;
			if (next < 0)
				return;
			e.preventDefault();
			select(next, true, true);
		});

		container.prepend(list);
		const fromHash = panels.findIndex((p) => `#${p.id}` === location.hash);
		select(fromHash >= 0 ? fromHash : 0, false, false);
	}

	/* ---------- Markdown editor: toolbar and preview ---------- */

	// Replace the selection and keep the browser's undo history where possible.
	function replaceSelection(ta, text, selectFrom, selectTo) {
		const start = ta.selectionStart;
		ta.focus();
		let done = false;
		try {
			done = doc.execCommand('insertText', false, text);
		} catch (err) {
			done = false;
		}
		if (!done || ta.value.substr(start, text.length) !== text) {
			ta.setRangeText(text, start, ta.selectionEnd, 'end');
			ta.dispatchEvent(new Event('input', { bubbles: true }));
		}
		ta.setSelectionRange(start + selectFrom, start + selectTo);
	}

	function wrapInline(ta, before, after, placeholder) {
		const sel = ta.value.slice(ta.selectionStart, ta.selectionEnd);
		const inner = sel || placeholder;
		replaceSelection(ta, before + inner + after, before.length, before.length + inner.length);
	}

	const mdActions = {
		bold(ta) {
			wrapInline(ta, '**', '**', t('mdBold'));
		},
		italic(ta) {
			wrapInline(ta, '_', '_', t('mdItalic'));
		},
		code(ta) {
			const sel = ta.value.slice(ta.selectionStart, ta.selectionEnd);
			if (sel.includes('\n')) {
				const atLineStart = ta.selectionStart === 0 || ta.value[ta.selectionStart - 1] === '\n';
				const before = `${atLineStart ? '' : '\n'}\`\`\`\n`;
				replaceSelection(ta, `${before}${sel}\n\`\`\`\n`, before.length, before.length + sel.length);
			} else {
				wrapInline(ta, '`', '`', t('mdCode'));
			}
		},
		link(ta) {
			const sel = ta.value.slice(ta.selectionStart, ta.selectionEnd);
			if (/^https?:\/\/\S+$/.test(sel)) {
				const text = t('mdLinkText');
				replaceSelection(ta, `[${text}](${sel})`, 1, 1 + text.length);
			} else {
				const text = sel || t('mdLinkText');
				const url = 'https://';
				const s = `[${text}](${url})`;
				replaceSelection(ta, s, text.length + 3, text.length + 3 + url.length);
			}
		},
		list(ta) {
			prefixLines(ta, /^(\s*)[-*] /, () => '- ');
		},
		numbered(ta) {
			prefixLines(ta, /^(\s*)\d+[.)] /, (i) => `${i + 1}. `);
		},
		quote(ta) {
			prefixLines(ta, /^(\s*)> ?/, () => '> ');
		},
		heading(ta) {
			prefixLines(ta, /^(\s*)#{1,6} /, () => '## ');
		},
	};

	// Puts a prefix before each selected line (whole lines), or takes it
	// away when every line has one: lists, numbered lists, quotes, headings.
	function prefixLines(ta, has, prefix) {
		const v = ta.value;
		const start = v.lastIndexOf('\n', ta.selectionStart - 1) + 1;
		let endPos = ta.selectionEnd;
		if (endPos > ta.selectionStart && v[endPos - 1] === '\n')
			endPos -= 1;
		let end = v.indexOf('\n', endPos);
		if (end < 0)
			end = v.length;
		ta.setSelectionRange(start, end);
		const lines = v.slice(start, end).split('\n');
		const all = lines.every((l) => has.test(l));
		const out = lines.map((l, i) => (all ? l.replace(has, '$1') : prefix(i) + l)).join('\n');
		replaceSelection(ta, out, out.length, out.length);
	}

	// The keys of the toolbar's buttons (Ctrl, or Cmd on a Mac).
	const mdKeys = { b: 'bold', i: 'italic', k: 'link' };

	function initMarkdown(ta) {
		const form = ta.form;
		const previewUrl = ta.dataset.previewUrl;
		const toolbar = el('div', { class: 'md-toolbar', role: 'group', 'aria-label': t('mdToolbar') });
		const buttons = [
			['heading', 'mdHeading', el('span', { class: 'md-toolbar__glyph--b', 'aria-hidden': 'true', text: 'H' })],
			['bold', 'mdBold', el('span', { class: 'md-toolbar__glyph--b', 'aria-hidden': 'true', text: 'B' }), 'Control+B'],
			['italic', 'mdItalic', el('span', { class: 'md-toolbar__glyph--i', 'aria-hidden': 'true', text: 'I' }), 'Control+I'],
			['list', 'mdList', el('span', { 'aria-hidden': 'true', text: '• ―' })],
			['numbered', 'mdNumbered', el('span', { 'aria-hidden': 'true', text: '№ ―' })],
			['quote', 'mdQuote', el('span', { 'aria-hidden': 'true', text: '❝' })],
			['link', 'mdLink', el('span', { 'aria-hidden': 'true', text: 'Link' }), 'Control+K'],
			['code', 'mdCode', el('span', { class: 'md-toolbar__glyph--code', 'aria-hidden': 'true', text: '</>' })],
		];
		for (const [action, label, glyph, keys] of buttons) {
			// The shortcut is announced (aria-keyshortcuts) and shown on hover.
			const shown = keys ? ` (${t('mdCtrl')}+${keys.slice(-1)})` : '';
			toolbar.append(el('button', {
				type: 'button',
				class: 'md-toolbar__button',
				'data-md-action': action,
				'aria-label': t(label),
				'aria-keyshortcuts': keys ? `${keys} Meta+${keys.slice(-1)}` : null,
				title: t(label) + shown,
			}, glyph));
		}
		toolbar.append(el('span', { class: 'md-toolbar__sep' }));

		let preview = null;
		let previewButton = null;
		if (previewUrl && form) {
			const previewId = newId('md-preview');
			previewButton = el('button', {
				type: 'button',
				class: 'md-toolbar__button',
				'aria-expanded': 'false',
				'aria-controls': previewId,
				text: t('mdPreview'),
			});
			toolbar.append(previewButton);
			const body = el('div', { class: 'md-preview__body md' });
			preview = el('div', {
				class: 'md-preview',
				id: previewId,
				role: 'region',
				'aria-label': t('mdPreview'),
				'aria-live': 'polite',
				hidden: true,
			}, el('p', { class: 'md-preview__label', 'aria-hidden': 'true', text: t('mdPreview') }), body);
			preview.body = body;
		}

		ta.before(toolbar);
		if (preview)
			ta.after(preview);

		toolbar.addEventListener('click', (e) => {
			const b = e.target.closest('[data-md-action]');
			if (b)
				mdActions[b.dataset.mdAction](ta);
		});
		ta.addEventListener('keydown', (e) => {
			if (!(e.ctrlKey || e.metaKey) || e.altKey || e.shiftKey)
				return;
			const action = mdKeys[e.key.toLowerCase()];
			if (action) {
				e.preventDefault();
				mdActions[action](ta);
			}
		});

		if (!preview)
			return;

		let controller = null;
		// Announce the preview when the user asks for it, not on every pause in typing.
		async function refresh(speak) {
			if (controller)
				controller.abort();
			preview.setAttribute('aria-live', speak ? 'polite' : 'off');
			if (!ta.value.trim()) {
				preview.body.textContent = t('mdPreviewEmpty');
				return;
			}
			controller = new AbortController();
			preview.setAttribute('aria-busy', 'true');
			if (!preview.body.childNodes.length)
				preview.body.textContent = t('mdPreviewLoading');
			try {
				const res = await fetch(previewUrl, {
					method: 'POST',
					credentials: 'same-origin',
					headers: { Accept: 'text/html' },
					body: new URLSearchParams({ text: ta.value, csrf: csrfToken(form) }),
					signal: controller.signal,
				});
				if (!res.ok)
					throw new Error(`HTTP ${res.status}`);
				// The server returns sanitised HTML (cmark-gfm, raw HTML disabled).
				preview.body.innerHTML = await res.text();
			} catch (err) {
				if (err.name === 'AbortError')
					return;
				preview.body.textContent = t('mdPreviewError');
			} finally {
				preview.removeAttribute('aria-busy');
			}
		}
		const refreshSoon = debounce(() => refresh(false), 600);

		previewButton.addEventListener('click', () => {
			const open = previewButton.getAttribute('aria-expanded') !== 'true';
			previewButton.setAttribute('aria-expanded', open ? 'true' : 'false');
			preview.hidden = !open;
			if (open)
				refresh(true);
		});
		ta.addEventListener('input', () => {
			if (!preview.hidden)
				refreshSoon();
		});
	}

	/* ---------- Object search: WAI-ARIA combobox with list autocomplete ---------- */

	function initCombobox(select) {
		const multiple = select.multiple;
		const kind = select.dataset.objectKind || '';
		const url = select.dataset.searchUrl;
		const baseId = select.id || newId('combo');
		const label = doc.querySelector(`label[for="${CSS.escape(select.id)}"]`);
		if (label && !label.id)
			label.id = `${baseId}-label`;

		const input = el('input', {
			type: 'text',
			class: 'input combo__input',
			id: `${baseId}-combo`,
			role: 'combobox',
			'aria-autocomplete': 'list',
			'aria-expanded': 'false',
			'aria-controls': `${baseId}-listbox`,
			autocomplete: 'off',
			spellcheck: 'false',
			placeholder: t('objectPlaceholder'),
			'aria-describedby': select.getAttribute('aria-describedby'),
			'aria-invalid': select.getAttribute('aria-invalid'),
			'aria-required': select.getAttribute('aria-required'),
		});
		const listbox = el('ul', {
			class: 'combo__listbox',
			id: `${baseId}-listbox`,
			role: 'listbox',
			'aria-labelledby': label ? label.id : null,
			hidden: true,
		});
		const wrap = el('div', { class: 'combo' }, input, listbox);
		const chips = multiple ? el('ul', { class: 'chips', 'aria-label': t('objectSelected') }) : null;

		select.after(wrap);
		if (chips)
			wrap.after(chips);
		// The select stays in the form and is what gets submitted; it is only hidden.
		select.hidden = true;
		select.required = false;   // the server validates; a hidden required control blocks submit
		if (label)
			label.htmlFor = input.id;
		focusProxies.set(select.id, input);

		let results = [];       // [{id, name}]
		let active = -1;
		let controller = null;

		function selectedOptions() {
			return Array.from(select.options).filter((o) => o.selected && o.value !== '');
		}

		function showSelectedText() {
			if (multiple)
				return;
			const o = selectedOptions()[0];
			input.value = o ? o.textContent : '';
		}

		function renderChips() {
			if (!chips)
				return;
			chips.textContent = '';
			for (const o of selectedOptions()) {
				const name = o.textContent;
				const remove = el('button', {
					type: 'button',
					class: 'chip__remove',
					'aria-label': t('removeItem', { name }),
					title: t('removeItem', { name }),
					'data-value': o.value,
				}, el('span', { 'aria-hidden': 'true', text: '×' }));
				chips.append(el('li', { class: 'chip' }, el('span', { class: 'chip__name', text: name }), remove));
			}
		}

		function close() {
			listbox.hidden = true;
			input.setAttribute('aria-expanded', 'false');
			input.removeAttribute('aria-activedescendant');
			active = -1;
		}

		function setActive(index) {
			const items = listbox.querySelectorAll('[role="option"]');
			if (!items.length)
				return;
			active = (index + items.length) % items.length;
			items.forEach((item, i) => item.setAttribute('aria-selected', i === active ? 'true' : 'false'));
			const item = items[active];
			input.setAttribute('aria-activedescendant', item.id);
			item.scrollIntoView({ block: 'nearest' });
		}

		function render() {
			listbox.textContent = '';
			active = -1;
			input.removeAttribute('aria-activedescendant');
			if (!results.length) {
				listbox.append(el('li', { class: 'combo__empty', role: 'presentation', text: t('objectNone') }));
				announce(t('objectNone'));
			} else {
				results.forEach((r, i) => {
					listbox.append(el('li', {
						class: 'combo__option',
						role: 'option',
						id: `${baseId}-opt-${i}`,
						'aria-selected': 'false',
						'data-index': i,
						text: r.name,
					}));
				});
				announce(results.length === 1 ? t('objectOne') : t('objectResults', { n: results.length }));
			}
			listbox.hidden = false;
			input.setAttribute('aria-expanded', 'true');
		}

		// Without the server, search the options already in the page.
		function localSearch(q) {
			const needle = q.toLocaleLowerCase();
			return Array.from(select.options)
				.filter((o) => o.value !== '' && o.textContent.toLocaleLowerCase().includes(needle))
				.map((o) => ({ id: o.value, name: o.textContent }));
		}

		function withoutChosen(list) {
			if (!multiple)
				return list;
			const chosen = new Set(selectedOptions().map((o) => o.value));
			return list.filter((r) => !chosen.has(String(r.id)));
		}

		async function search(q) {
			if (controller)
				controller.abort();
			let found;
			if (url) {
				controller = new AbortController();
				try {
					const u = new URL(url, location.href);
					u.searchParams.set('kind', kind);
					u.searchParams.set('q', q);
					const res = await fetch(u, {
						credentials: 'same-origin',
						headers: { Accept: 'application/json' },
						signal: controller.signal,
					});
					if (!res.ok)
						throw new Error(`HTTP ${res.status}`);
					const data = await res.json();
					found = (Array.isArray(data.values) ? data.values : [])
						.filter((v) => v && v.id !== undefined && typeof v.name === 'string')
						.map((v) => ({ id: String(v.id), name: v.name }));
				} catch (err) {
					if (err.name === 'AbortError')
						return;
					found = localSearch(q);
				}
			} else {
				found = localSearch(q);
			}
			if (doc.activeElement !== input)
				return;
			results = withoutChosen(found).slice(0, 50);
			render();
		}
		const searchSoon = debounce(() => search(input.value.trim()), 200);

		function choose(index) {
			const r = results[index];
			if (!r)
				return;
			let option = Array.from(select.options).find((o) => o.value === r.id);
			if (!option) {
				option = new Option(r.name, r.id);
				select.add(option);
			}
			if (multiple) {
				option.selected = true;
				input.value = '';
				renderChips();
			} else {
				select.value = r.id;
				input.value = r.name;
			}
			select.dispatchEvent(new Event('change', { bubbles: true }));
			close();
			announce(t('objectChosen', { name: r.name }));
		}

		input.addEventListener('input', () => {
			if (!multiple && input.value.trim() === '') {
				select.value = '';
				select.dispatchEvent(new Event('change', { bubbles: true }));
			}
			searchSoon();
		});

		input.addEventListener('keydown', (e) => {
			const open = !listbox.hidden;
			switch (e.key) {
			case 'ArrowDown':
				e.preventDefault();
				if (!open || e.altKey)
					search(input.value.trim());
				else
					setActive(active + 1);
				break;
			case 'ArrowUp':
				if (open) {
					e.preventDefault();
					setActive(active < 0 ? -1 : active - 1);
				}
				break;
			case 'Enter':
				if (open) {
					// Never submit the form from an open list.
					e.preventDefault();
					if (active >= 0)
						choose(active);
				}
				break;
			case 'Escape':
				if (open) {
					e.preventDefault();
					close();
				} else if (input.value) {
					e.preventDefault();
					input.value = '';
					if (!multiple) {
						select.value = '';
						select.dispatchEvent(new Event('change', { bubbles: true }));
					}
				}
				break;
			case 'Tab':
				close();
				break;
			default:
				break;
			}
		});

		// mousedown keeps the focus in the input, click chooses.
		listbox.addEventListener('mousedown', (e) => e.preventDefault());
		listbox.addEventListener('click', (e) => {
			const item = e.target.closest('[role="option"]');
			if (item)
				choose(Number(item.dataset.index));
		});

		input.addEventListener('blur', () => {
			close();
			// A single combobox shows the chosen name, never half-typed text.
			showSelectedText();
			if (multiple)
				input.value = '';
		});

		if (chips) {
			chips.addEventListener('click', (e) => {
				const b = e.target.closest('.chip__remove');
				if (!b)
					return;
				const option = Array.from(select.options).find((o) => o.value === b.dataset.value);
				if (!option)
					return;
				const items = Array.from(chips.querySelectorAll('.chip__remove'));
				const pos = items.indexOf(b);
				option.selected = false;
				select.dispatchEvent(new Event('change', { bubbles: true }));
				renderChips();
				announce(t('removedItem', { name: option.textContent }));
				const rest = chips.querySelectorAll('.chip__remove');
				(rest[Math.min(pos, rest.length - 1)] || input).focus();
			});
		}

		showSelectedText();
		renderChips();
	}

	/* ---------- Attachments: drop zone, pasted screenshots, file list ---------- */

	const dropzones = [];

	function canSetFiles() {
		try {
			return typeof DataTransfer === 'function' && new DataTransfer().items !== undefined;
		} catch (err) {
			return false;
		}
	}

	function initDropzone(input) {
		const files = [];
		const browse = el('button', { type: 'button', class: 'link-button', text: t('dropzoneBrowse') });
		const zone = el('div', { class: 'dropzone' },
			el('p', { class: 'dropzone__text' }, `${t('dropzoneText')} `, browse));
		const list = el('ul', { class: 'filelist', 'aria-label': t('filesChosen'), hidden: true });
		const holder = input.closest('.attach') || input.parentElement;

		holder.after(zone, list);
		// Keep the real input (it is what gets submitted) but take it out of sight and focus order.
		holder.classList.add('visually-hidden');
		holder.setAttribute('aria-hidden', 'true');
		input.tabIndex = -1;
		input.setAttribute('aria-hidden', 'true');
		for (const attr of ['aria-describedby', 'aria-required', 'aria-invalid']) {
			if (input.hasAttribute(attr))
				browse.setAttribute(attr, input.getAttribute(attr));
		}
		const legend = input.closest('fieldset') && input.closest('fieldset').querySelector('legend');
		if (legend) {
			legend.id = legend.id || newId('legend');
			browse.id = newId('browse');
			browse.setAttribute('aria-labelledby', `${legend.id} ${browse.id}`);
		}
		focusProxies.set(input.id, browse);

		function sync() {
			const dt = new DataTransfer();
			for (const f of files)
				dt.items.add(f);
			input.files = dt.files;
			list.textContent = '';
			files.forEach((f, i) => {
				const remove = el('button', {
					type: 'button',
					class: 'small-button',
					'data-index': i,
					'aria-label': t('removeItem', { name: f.name }),
				}, el('span', { 'aria-hidden': 'true', text: '×' }), ` ${t('removeItem', { name: '' }).trim()}`);
				list.append(el('li', { class: 'filelist__item' },
					el('span', {},
						el('span', { class: 'filelist__name', text: f.name }),
						el('span', { class: 'muted', text: ` (${formatBytes(f.size)})` })),
					remove));
			});
			list.hidden = files.length === 0;
		}

		// A file over the server's limit is refused here, before it is
		// sent, with the server's own words next to the field.
		const maxBytes = Number(input.dataset.maxBytes) || 0;
		const refusal = el('p', { class: 'field__error', id: newId('too-big'), hidden: true });
		list.after(refusal);

		function refuse(names) {
			refusal.textContent = names.map((name) => input.dataset.tooBig.replace('{name}', name)).join(' ');
			refusal.hidden = names.length === 0;
			const described = (browse.getAttribute('aria-describedby') || '').split(' ')
				.filter((id) => id && id !== refusal.id);
			if (names.length) {
				described.push(refusal.id);
				browse.setAttribute('aria-invalid', 'true');
				announce(refusal.textContent);
			} else if (!input.hasAttribute('aria-invalid')) {
				browse.removeAttribute('aria-invalid');
			}
			browse.setAttribute('aria-describedby', described.join(' '));
		}

		function add(newFiles) {
			const added = [];
			const tooBig = newFiles.filter((f) => maxBytes > 0 && f.size > maxBytes);
			refuse(tooBig.map((f) => f.name));
			newFiles = newFiles.filter((f) => !tooBig.includes(f));
			for (const f of newFiles) {
				const dup = files.some((g) => g.name === f.name && g.size === f.size && g.lastModified === f.lastModified);
				if (!dup) {
					files.push(f);
					added.push(f.name);
				}
			}
			sync();
			if (added.length)
				announce(added.map((name) => t('fileAdded', { name })).join('. '));
		}

		browse.addEventListener('click', () => input.click());
		// A choice in the file dialog replaces input.files; merge it into our list.
		input.addEventListener('change', () => {
			const picked = Array.from(input.files || []);
			if (picked.length)
				add(picked);
			else
				sync();
		});

		list.addEventListener('click', (e) => {
			const b = e.target.closest('button[data-index]');
			if (!b)
				return;
			const i = Number(b.dataset.index);
			const [gone] = files.splice(i, 1);
			sync();
			if (gone)
				announce(t('removedItem', { name: gone.name }));
			const rest = list.querySelectorAll('button[data-index]');
			(rest[Math.min(i, rest.length - 1)] || browse).focus();
		});

		zone.addEventListener('dragenter', (e) => {
			e.preventDefault();
			zone.classList.add('is-dragover');
		});
		zone.addEventListener('dragover', (e) => {
			e.preventDefault();
			e.stopPropagation();
			if (e.dataTransfer)
				e.dataTransfer.dropEffect = 'copy';
			zone.classList.add('is-dragover');
		});
		zone.addEventListener('dragleave', (e) => {
			if (!zone.contains(e.relatedTarget))
				zone.classList.remove('is-dragover');
		});
		zone.addEventListener('drop', (e) => {
			e.preventDefault();
			e.stopPropagation();
			zone.classList.remove('is-dragover');
			if (e.dataTransfer && e.dataTransfer.files.length)
				add(Array.from(e.dataTransfer.files));
		});

		// "Abbrechen" resets the form: forget the chosen files too.
		if (input.form) {
			input.form.addEventListener('reset', () => {
				files.length = 0;
				setTimeout(sync, 0);
			});
		}

		const entry = { input, zone, add, form: input.form };
		dropzones.push(entry);
		return entry;
	}

	function pad(n) {
		return String(n).padStart(2, '0');
	}

	// screenshot-2026-11-27-1542.png (local time); "-2", "-3" … when taken within one minute.
	const usedNames = new Set();
	function screenshotName(type) {
		const d = new Date();
		const ext = { 'image/png': 'png', 'image/jpeg': 'jpg', 'image/gif': 'gif', 'image/webp': 'webp' }[type] || 'png';
		const base = `screenshot-${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}-${pad(d.getHours())}${pad(d.getMinutes())}`;
		let name = `${base}.${ext}`;
		for (let i = 2; usedNames.has(name); i += 1)
			name = `${base}-${i}.${ext}`;
		usedNames.add(name);
		return name;
	}

	function initPaste() {
		doc.addEventListener('paste', (e) => {
			const cd = e.clipboardData;
			if (!cd || !dropzones.length)
				return;
			const target = e.target instanceof Element ? e.target : doc.body;
			const inBody = target === doc.body || target === doc.documentElement;
			const form = target.closest('form');
			const zones = dropzones.filter((z) => (inBody ? true : z.form === form));
			if (!zones.length)
				return;
			const images = Array.from(cd.items || [])
				.filter((item) => item.kind === 'file' && item.type.startsWith('image/'))
				.map((item) => item.getAsFile())
				.filter(Boolean);
			if (!images.length)
				return;
			// Text pasted into a text field (e.g. from an office program, which also puts
			// an image on the clipboard) stays text.
			const editable = target.matches('input, textarea, [contenteditable]');
			if (editable && cd.types.includes('text/plain'))
				return;
			e.preventDefault();
			const zone = zones.find((z) => z.zone.contains(target) || z.input === target) || zones[0];
			zone.add(images.map((f) => new File([f], screenshotName(f.type), {
				type: f.type,
				lastModified: Date.now(),
			})));
			// A collapsed comment box opens to show what was pasted.
			if (zone.form)
				zone.form.dispatchEvent(new CustomEvent('zek:files-added'));
		});
		// A file dropped beside the zone must not open it in the tab (and lose the form).
		// Dragged text keeps working in text fields.
		const isFileDrag = (e) => e.dataTransfer && Array.from(e.dataTransfer.types || []).includes('Files');
		window.addEventListener('dragover', (e) => {
			if (!e.defaultPrevented && isFileDrag(e)) {
				e.preventDefault();
				e.dataTransfer.dropEffect = 'none';
			}
		});
		window.addEventListener('drop', (e) => {
			if (!e.defaultPrevented && isFileDrag(e))
				e.preventDefault();
		});
	}

	/* ---------- Request page: comment box and print button ---------- */

	// Without JS the comment form is simply there. With JS it waits behind
	// "Einen Kommentar zu dieser Anfrage hinzufügen ...", unless a failed
	// submission brought text or files back.
	function initCommentBox(box) {
		const opener = box.querySelector('[data-comment-open]');
		const form = box.querySelector('form');
		if (!opener || !form)
			return;
		const ta = form.querySelector('textarea');
		const cancel = form.querySelector('[data-comment-cancel]');

		function show(focus) {
			opener.hidden = true;
			form.hidden = false;
			if (focus && ta)
				ta.focus();
		}
		function hide(focus) {
			form.hidden = true;
			opener.hidden = false;
			if (focus)
				opener.focus();
		}

		opener.addEventListener('click', () => show(true));
		if (cancel) {
			cancel.addEventListener('click', (e) => {
				e.preventDefault();
				form.reset();
				// reset() brings back what the page was sent with; Abbrechen discards it.
				if (ta)
					ta.value = '';
				for (const cb of form.querySelectorAll('.kept-files input[type="checkbox"]'))
					cb.checked = false;
				for (const p of form.querySelectorAll('.md-preview'))
					p.hidden = true;
				hide(true);
			});
		}
		form.addEventListener('zek:files-added', () => {
			if (form.hidden)
				show(false);
		});
		const kept = form.querySelector('.kept-files input:checked');
		if ('open' in box.dataset || kept || (ta && ta.value.trim()))
			show(false);
		else
			hide(false);
	}

	function initPrint() {
		for (const b of doc.querySelectorAll('[data-print]')) {
			b.hidden = false;
			b.addEventListener('click', () => window.print());
		}
	}

	/* ---------- A value to copy (a new access token) ---------- */

	// The value gets the focus, selected, and a "Kopieren" button beside
	// it; the result is announced. Without JS the value is selectable.
	function initCopy(input) {
		const status = el('span', { class: 'copy__status', role: 'status' });
		const button = el('button', { type: 'button', class: 'button button--secondary copy__button',
			'aria-describedby': input.id, text: t('copy') });
		button.addEventListener('click', async () => {
			try {
				await navigator.clipboard.writeText(input.value);
				status.textContent = t('copied');
			} catch (e) {
				input.select();
				status.textContent = t('copyFailed');
			}
		});
		input.after(el('div', { class: 'copy' }, button, status));
		// After the load: going to the page's #fragment takes the focus.
		const take = () => setTimeout(() => {
			input.focus({ preventScroll: true });
			input.select();
			input.scrollIntoView({ block: 'center' });
		}, 0);
		if (doc.readyState === 'complete')
			take();
		else
			window.addEventListener('load', take, { once: true });
	}

	/* ---------- The person's menu in the header ---------- */

	// A <details> opens and closes by itself; this closes it on Escape
	// (the focus back on its button) and on a click or focus elsewhere.
	function initUserMenu(menu) {
		const summary = menu.querySelector('summary');
		menu.addEventListener('keydown', (e) => {
			if (e.key === 'Escape' && menu.open) {
				menu.open = false;
				summary.focus();
			}
		});
		doc.addEventListener('click', (e) => {
			if (menu.open && !menu.contains(e.target))
				menu.open = false;
		});
		menu.addEventListener('focusout', (e) => {
			if (menu.open && e.relatedTarget && !menu.contains(e.relatedTarget))
				menu.open = false;
		});
	}

	/* ---------- Canned responses: insert at the cursor ---------- */

	// "Einfügen" without script sends the form and the page comes back with
	// the snippet after the text; with script the snippet (filled in by the
	// server, in the option's data-text) goes where the cursor is.
	function initSnippetInsert(button) {
		const ta = doc.getElementById(button.dataset.snippetInsert);
		const select = button.form && button.form.elements.namedItem('snippet');
		if (!ta || !select)
			return;
		button.addEventListener('click', (ev) => {
			const opt = select.options[select.selectedIndex];
			if (!opt || opt.dataset.text === undefined)
				return;
			ev.preventDefault();
			const before = ta.value.slice(0, ta.selectionStart);
			// A paragraph of its own unless the cursor starts one already.
			const gap = before === '' || before.endsWith('\n\n') ? '' :
				before.endsWith('\n') ? '\n' : '\n\n';
			const text = gap + opt.dataset.text;
			replaceSelection(ta, text, text.length, text.length);
			announce(t('snippetInserted', { title: opt.textContent }));
		});
	}

	/* ---------- "Für wen?": the agents' person search ---------- */

	// Without script "Suchen" sends the form and it comes back with the
	// people found as radio buttons; with script they come as one types.
	// The user (first) and the person chosen stay whatever the search.
	function initPersonSearch(input) {
		const list = input.form && input.form.querySelector('[data-person-results]');
		if (!list)
			return;
		let asked = 0;
		const search = debounce(async () => {
			const q = input.value.trim();
			const mine = ++asked;
			if (q === '')
				return;
			let values = [];
			try {
				const res = await fetch(`${input.dataset.personSearch}?q=${encodeURIComponent(q)}`,
					{ credentials: 'same-origin', headers: { Accept: 'application/json' } });
				if (!res.ok)
					return;
				values = (await res.json()).values || [];
			} catch (err) {
				return;
			}
			if (mine !== asked)
				return;     // a later search is on its way
			for (const row of Array.from(list.querySelectorAll('.radio'))) {
				const radio = row.querySelector('input');
				if (radio.id !== 'f-onbehalf' && !radio.checked)
					row.remove();
			}
			const shown = new Set(Array.from(list.querySelectorAll('input')).map((r) => r.value));
			for (const v of values) {
				const value = String(v.id);
				if (shown.has(value))
					continue;
				const id = `f-onbehalf-${value}`;
				list.append(el('div', { class: 'radio' },
					el('input', { class: 'radio__input', type: 'radio', id, name: 'onbehalf', value }),
					el('label', { class: 'radio__label', for: id, text: v.label })));
			}
			announce(t('personFound', { n: values.length }));
		}, 250);
		input.addEventListener('input', search);
	}

	/* ---------- A queue's bulk form: "select all on this page" ---------- */

	// Without script the links load the page again with every box ticked
	// (or none); with script they tick the boxes where they are, and the
	// count is announced.
	function initBulkSelect(link) {
		const form = link.closest('form');
		if (!form)
			return;
		link.addEventListener('click', (ev) => {
			ev.preventDefault();
			const on = link.dataset.bulkSelect === 'all';
			const boxes = Array.from(form.querySelectorAll('input[type="checkbox"][name="key"]'));
			for (const box of boxes)
				box.checked = on;
			announce(t('bulkSelected', { n: on ? boxes.length : 0 }));
		});
	}

	/* ---------- Start ---------- */

	function start() {
		initErrorSummary();
		initSubmitGuard();
		for (const c of doc.querySelectorAll('[data-tabs]'))
			initTabs(c);
		for (const ta of doc.querySelectorAll('textarea[data-md]'))
			initMarkdown(ta);
		for (const s of doc.querySelectorAll('select[data-object-kind]'))
			initCombobox(s);
		if (canSetFiles()) {
			for (const input of doc.querySelectorAll('input[type="file"][data-dropzone]'))
				initDropzone(input);
			if (dropzones.length)
				initPaste();
		}
		for (const box of doc.querySelectorAll('[data-comment-box]'))
			initCommentBox(box);
		initPrint();
		for (const input of doc.querySelectorAll('input[data-copy]'))
			initCopy(input);
		for (const menu of doc.querySelectorAll('details.user-menu'))
			initUserMenu(menu);
		for (const b of doc.querySelectorAll('button[data-snippet-insert]'))
			initSnippetInsert(b);
		for (const input of doc.querySelectorAll('input[data-person-search]'))
			initPersonSearch(input);
		for (const a of doc.querySelectorAll('a[data-bulk-select]'))
			initBulkSelect(a);
	}

	if (doc.readyState === 'loading')
		doc.addEventListener('DOMContentLoaded', start);
	else
		start();
})();
