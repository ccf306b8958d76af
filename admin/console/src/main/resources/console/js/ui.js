// Small DOM helpers: elements are built, never parsed from strings holding data.
import { api, ApiError, seg } from './api.js';

const SVG_NS = 'http://www.w3.org/2000/svg';

function append(el, child) {
  if (child === null || child === undefined || child === false) return;
  if (Array.isArray(child)) {
    child.forEach((c) => append(el, c));
  } else if (child instanceof Node) {
    el.appendChild(child);
  } else {
    el.appendChild(document.createTextNode(String(child)));
  }
}

function applyAttrs(el, attrs, isSvg) {
  for (const [name, value] of Object.entries(attrs || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (name.startsWith('on') && typeof value === 'function') {
      el.addEventListener(name.slice(2).toLowerCase(), value);
    } else if (name === 'class' || name === 'className') {
      el.setAttribute('class', Array.isArray(value) ? value.filter(Boolean).join(' ') : value);
    } else if (name === 'style' && typeof value === 'object') {
      Object.assign(el.style, value); // CSSOM, allowed by the CSP (no inline style attribute text)
    } else if (!isSvg && (name === 'value' || name === 'checked' || name === 'disabled' || name === 'selected')) {
      el[name] = value;
    } else if (value === true) {
      el.setAttribute(name, '');
    } else {
      el.setAttribute(name, String(value));
    }
  }
}

/** h('button', {class: 'primary', 'data-testid': 'save', onclick}, 'Save'): strings become text nodes. */
export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  applyAttrs(el, attrs, false);
  append(el, children);
  return el;
}

/** The same for SVG elements (charts). */
export function s(tag, attrs, ...children) {
  const el = document.createElementNS(SVG_NS, tag);
  applyAttrs(el, attrs, true);
  append(el, children);
  return el;
}

/** Replaces an element's children. */
export function mount(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

function toastArea() {
  let area = document.getElementById('toasts');
  if (!area) {
    area = h('div', { id: 'toasts', class: 'toasts' });
    document.body.appendChild(area);
  }
  return area;
}

/** The text a failure shows: the API's code and its sentence. */
export function describeError(err) {
  if (err instanceof ApiError) {
    return `${err.code} — ${err.message}`;
  }
  return `ERROR — ${err && err.message ? err.message : String(err)}`;
}

/** Shows a failure (code — message) until the user dismisses it. */
export function toastError(err) {
  const close = h('button', { class: 'small', 'data-testid': 'error-toast-dismiss', onclick: () => toast.remove() }, 'Dismiss');
  const toast = h('div', { class: 'toast error', role: 'alert', 'data-testid': 'error-toast',
    'data-code': err instanceof ApiError ? err.code : 'ERROR' },
  h('span', { class: 'text', 'data-testid': 'error-toast-text' }, describeError(err)), close);
  toastArea().appendChild(toast);
  if (err && !(err instanceof ApiError)) console.error(err);
  return toast;
}

/** A short note that goes away by itself. */
export function toastInfo(text) {
  const toast = h('div', { class: 'toast', 'data-testid': 'info-toast' }, h('span', { class: 'text' }, text));
  toastArea().appendChild(toast);
  setTimeout(() => toast.remove(), 5000);
  return toast;
}

/**
 * Asks before an action. Resolves {confirmed, reason}. requireText: the user must type it (e.g. the
 * flag key) before OK; withReason: a reason field (required when withReason === 'required').
 */
export function confirmDialog({ title, body, confirmLabel = 'Confirm', requireText = null, withReason = false, danger = false }) {
  return new Promise((resolve) => {
    const reason = withReason ? h('input', { type: 'text', 'data-testid': 'confirm-reason', placeholder: 'why (kept in the audit log)' }) : null;
    const typed = requireText ? h('input', { type: 'text', 'data-testid': 'confirm-text', placeholder: requireText }) : null;
    const ok = h('button', { class: danger ? 'danger' : 'primary', 'data-testid': 'confirm-ok' }, confirmLabel);
    const cancel = h('button', { 'data-testid': 'confirm-cancel' }, 'Cancel');
    const refresh = () => {
      const textOk = !typed || typed.value === requireText;
      const reasonOk = withReason !== 'required' || (reason && reason.value.trim() !== '');
      ok.disabled = !(textOk && reasonOk);
    };
    const dialog = h('div', { class: 'dialog', role: 'dialog', 'aria-modal': 'true', 'data-testid': 'confirm-dialog' },
      h('h2', { 'data-testid': 'confirm-title' }, title),
      body ? h('div', { 'data-testid': 'confirm-body' }, body) : null,
      typed ? [h('label', {}, `Type ${requireText} to confirm`), typed] : null,
      reason ? [h('label', {}, 'Reason'), reason] : null,
      h('div', { class: 'actions' }, cancel, ok));
    const backdrop = h('div', { class: 'backdrop' }, dialog);
    const finish = (confirmed) => {
      backdrop.remove();
      document.removeEventListener('keydown', onKey);
      resolve({ confirmed, reason: reason ? reason.value.trim() : null });
    };
    const onKey = (e) => {
      if (e.key === 'Escape') finish(false);
      if (e.key === 'Enter' && !ok.disabled && e.target && e.target.tagName === 'INPUT') finish(true);
    };
    ok.addEventListener('click', () => finish(true));
    cancel.addEventListener('click', () => finish(false));
    if (typed) typed.addEventListener('input', refresh);
    if (reason) reason.addEventListener('input', refresh);
    document.addEventListener('keydown', onKey);
    refresh();
    document.body.appendChild(backdrop);
    (typed || reason || ok).focus();
  });
}

/**
 * A plain table. columns: [{title, render(row) -> Node|string, testid?}]; rows: array. Each row
 * gets data-testid `${rowTestid}` and data-key from key(row) when given.
 */
export function table(columns, rows, { testid = 'table', rowTestid = 'table-row', key = null, empty = 'Nothing yet.' } = {}) {
  if (!rows.length) {
    return h('p', { class: 'muted', 'data-testid': testid + '-empty' }, empty);
  }
  return h('table', { class: 'data', 'data-testid': testid },
    h('thead', {}, h('tr', {}, columns.map((c) => h('th', {}, c.title)))),
    h('tbody', {}, rows.map((row) => h('tr', { 'data-testid': rowTestid, 'data-key': key ? key(row) : null },
      columns.map((c) => h('td', { 'data-testid': c.testid || null }, c.render(row)))))));
}

/**
 * A windowed list: only the rows in view (plus a margin) are in the DOM, so 10,000 rows scroll
 * and filter as fast as 10. columns: CSS grid template; renderRow(item) -> array of cells.
 * Returns {el, setItems(items)}.
 */
export function windowedList({ rowHeight = 36, columns, header, renderRow, testid = 'vlist', rowTestid = 'vlist-row', key }) {
  const head = h('div', { class: 'vrow vhead', style: { gridTemplateColumns: columns, height: rowHeight + 'px', position: 'sticky' } },
    header.map((title) => h('div', {}, title)));
  const body = h('div', { style: { position: 'relative' } });
  const el = h('div', { class: 'vlist', 'data-testid': testid }, head, body);
  let items = [];
  const render = () => {
    const top = Math.max(0, el.scrollTop - rowHeight);
    const height = el.clientHeight || 600;
    const first = Math.max(0, Math.floor(top / rowHeight) - 5);
    const last = Math.min(items.length, Math.ceil((top + height) / rowHeight) + 10);
    body.style.height = items.length * rowHeight + 'px';
    const rows = [];
    for (let i = first; i < last; i++) {
      const item = items[i];
      rows.push(h('div', {
        class: 'vrow', 'data-testid': rowTestid, 'data-key': key ? key(item) : null, 'data-index': i,
        style: { gridTemplateColumns: columns, height: rowHeight + 'px', top: i * rowHeight + 'px' },
      }, renderRow(item)));
    }
    body.replaceChildren(...rows);
  };
  el.addEventListener('scroll', () => requestAnimationFrame(render), { passive: true });
  return {
    el,
    setItems(next) {
      items = next;
      el.dataset.count = String(items.length);
      render();
    },
    refresh: render,
  };
}

/** A minimal SVG bar/line chart helper: scales [min,max] to [0,size]. */
export function scale(min, max, size) {
  const span = max - min || 1;
  return (v) => ((v - min) / span) * size;
}

/**
 * Follows a flag version's propagation and renders "live on N of M nodes in X ms" as it happens.
 * Returns close().
 */
export function liveOnNodes(env, flagKey, version, el) {
  el.setAttribute('data-testid', 'propagation');
  el.classList.add('propagation');
  el.classList.remove('complete');
  el.dataset.version = String(version);
  el.textContent = `v${version}: waiting for the evaluators…`;
  const show = (type, p) => {
    if (!p || typeof p !== 'object') return;
    const applied = p.applied ?? 0;
    const expected = p.expected ?? p.live ?? 0;
    const latencies = (p.evaluators || []).map((e) => e.latencyMs).filter((v) => typeof v === 'number');
    const ms = latencies.length ? Math.max(...latencies) : null;
    const complete = type === 'complete' || p.complete === true;
    el.dataset.applied = String(applied);
    el.dataset.expected = String(expected);
    el.dataset.complete = String(complete);
    el.textContent = `v${version}: live on ${applied} of ${expected} node${expected === 1 ? '' : 's'}`
      + (ms !== null ? ` in ${ms} ms` : '') + (type === 'incomplete' ? ' (not every node has it)' : '');
    el.classList.toggle('complete', complete);
  };
  let close = () => {};
  close = api.stream('projection',
    `/api/v1/environments/${seg(env)}/flags/${seg(flagKey)}/propagation/stream?version=${encodeURIComponent(version)}`,
    (type, data) => {
      show(type, data);
      if (type === 'complete' || type === 'incomplete') close();
    },
    (err) => {
      el.textContent = `v${version}: propagation unknown (${describeError(err)})`;
    });
  return () => close();
}

/** Formats an ISO instant for people (local time, seconds). */
export function when(iso) {
  if (!iso) return '';
  const d = new Date(iso);
  return isNaN(d) ? String(iso) : d.toLocaleString(undefined, { hour12: false });
}

/** Runs an async action; any failure goes to toastError. Returns the action's value or undefined. */
export async function attempt(action) {
  try {
    return await action();
  } catch (err) {
    toastError(err);
    return undefined;
  }
}
