// A flag's history: the audit timeline with field-by-field diffs, and a time slider over the
// flag's life: the flag as of any instant, and what a given user got then.
import { h, mount, toastError, when } from '../ui.js';
import { seg } from '../api.js';

/** Entries asked for per page: the rest come with "older" (the API's cursor / nextCursor). */
export const HISTORY_PAGE = 50;

function show(value) {
  if (value === undefined) return '—';
  return JSON.stringify(value);
}

function diffTable(diff) {
  if (!Array.isArray(diff) || !diff.length) return h('p', { class: 'muted' }, 'no field changed');
  return h('table', { class: 'data diff', 'data-testid': 'history-diff' },
    h('tbody', {}, diff.map((d) => h('tr', { 'data-testid': 'diff-row', 'data-field': d.field || '' },
      h('td', { class: 'field', 'data-testid': 'diff-field' }, d.field || '(whole flag)'),
      h('td', { class: 'before', 'data-testid': 'diff-before' }, show(d.before)),
      h('td', { class: 'after', 'data-testid': 'diff-after' }, show(d.after))))));
}

function describeServe(serve) {
  if (!serve) return '';
  if (serve.variant) return `serve ${serve.variant}`;
  if (serve.split) return 'split ' + serve.split.map((p) => `${p.variant} ${p.weight}%`).join(' / ');
  return '';
}

export default {
  id: 'history',
  title: 'History',
  nav: false,
  routes: ['flags/:key/history'],
  async render(root, params, ctx) {
    const base = `/api/v1/environments/${seg(ctx.env)}/flags/${seg(params.key)}`;
    const timeline = h('ol', { class: 'timeline', 'data-testid': 'history-timeline' });
    const slider = h('input', { type: 'range', 'data-testid': 'time-slider', 'aria-label': 'time', disabled: true });
    const instant = h('strong', { 'data-testid': 'time-instant' });
    const asOf = h('div', { 'data-testid': 'as-of' });
    const userKey = h('input', { type: 'text', 'data-testid': 'evaluate-key', placeholder: 'targetingKey, e.g. user-42' });
    const attributes = h('textarea', { rows: 3, 'data-testid': 'evaluate-attributes', placeholder: '{"country": "DE"}' });
    const evaluate = h('button', { class: 'primary', 'data-testid': 'evaluate-asof' }, 'What did this user get then?');
    const result = h('div', { 'data-testid': 'evaluate-result' });
    let entries = [];
    let nextCursor = null;
    let seq = 0;
    const count = h('span', { class: 'muted', 'data-testid': 'history-count' });
    const older = h('button', { class: 'hidden', 'data-testid': 'history-older' }, 'Older changes');

    mount(root,
      h('div', { class: 'row' },
        h('a', { href: `#/${seg(ctx.env)}/flags/${seg(params.key)}`, 'data-testid': 'back-to-flag' }, `← ${params.key}`)),
      h('h1', {}, `${params.key} in ${ctx.env}: history`),
      h('div', { class: 'panel' }, h('h2', {}, 'Time travel'),
        h('div', { class: 'slider-row' }, slider, h('span', {}), h('span', {})),
        h('p', {}, 'As of ', instant),
        asOf,
        h('h3', {}, 'What did this user get then?'),
        h('div', { class: 'grid2' }, h('div', {}, h('label', {}, 'targetingKey'), userKey),
          h('div', {}, h('label', {}, 'other attributes (JSON)'), attributes)),
        h('div', { class: 'row' }, evaluate), result),
      h('div', { class: 'panel' }, h('h2', {}, 'Every change, newest first'), timeline,
        h('div', { class: 'row' }, older, count)));

    const selectedInstant = () => new Date(Number(slider.value)).toISOString();

    const highlight = (version) => {
      for (const li of timeline.children) {
        li.classList.toggle('selected', li.dataset.version === String(version));
      }
    };

    const loadAsOf = async () => {
      const at = selectedInstant();
      const mine = ++seq;
      instant.textContent = `${when(at)} (${at})`;
      instant.dataset.instant = at;
      try {
        const state = await ctx.api.projection('GET', `${base}?asOf=${encodeURIComponent(at)}`);
        if (mine !== seq) return;
        const stateText = state.archived ? 'archived' : state.killed ? 'killed' : state.enabled ? 'on' : 'off';
        mount(asOf,
          h('div', { class: 'row' },
            h('span', { class: 'badge', 'data-testid': 'as-of-version', 'data-version': state.version }, `v${state.version}`),
            h('span', { class: `badge ${stateText}`, 'data-testid': 'as-of-state' }, stateText),
            h('span', { 'data-testid': 'as-of-fallthrough' }, describeServe(state.fallthrough)),
            h('span', { class: 'muted', 'data-testid': 'as-of-rules' }, `${(state.rules || []).length} rule(s)`)),
          h('pre', { class: 'json', 'data-testid': 'as-of-json' }, JSON.stringify(state, null, 2)));
        highlight(state.version);
      } catch (err) {
        if (mine !== seq) return;
        mount(asOf, h('p', { class: 'muted', 'data-testid': 'as-of-error' }, `${err.code || 'ERROR'} — ${err.message}`));
        if (err.code !== 'FLAG_NOT_FOUND') toastError(err);
      }
    };

    let pending = null;
    slider.addEventListener('input', () => {
      instant.textContent = when(selectedInstant());
      clearTimeout(pending);
      pending = setTimeout(loadAsOf, 150);
    });
    slider.addEventListener('change', () => {
      clearTimeout(pending);
      loadAsOf();
    });

    evaluate.addEventListener('click', async () => {
      let context = {};
      try {
        context = attributes.value.trim() ? JSON.parse(attributes.value) : {};
        if (typeof context !== 'object' || Array.isArray(context) || context === null) throw new Error('the attributes must be a JSON object');
      } catch (err) {
        toastError(new Error(`attributes: ${err.message}`));
        return;
      }
      if (userKey.value.trim()) context.targetingKey = userKey.value.trim();
      const at = selectedInstant();
      try {
        const answer = await ctx.api.projection('POST', `${base}/evaluate?asOf=${encodeURIComponent(at)}`, { context });
        mount(result, h('p', {},
          h('span', {}, `${context.targetingKey || 'that context'} got `),
          h('strong', { 'data-testid': 'evaluate-variant' }, String(answer.variant)),
          h('span', {}, ' = '),
          h('code', { 'data-testid': 'evaluate-value' }, JSON.stringify(answer.value)),
          h('span', { class: 'muted', 'data-testid': 'evaluate-reason' }, ` (${answer.reason}, flag v${answer.flagVersion}, as of ${when(answer.asOf)})`)));
      } catch (err) {
        toastError(err);
      }
    });

    const entryItem = (e) => h('li', { 'data-testid': 'history-entry', 'data-version': e.version },
      h('div', { class: 'row' },
        h('strong', {}, `v${e.version}`),
        h('span', { 'data-testid': 'history-type' }, e.type),
        h('span', { class: 'muted' }, `${when(e.occurredAt)} by ${e.actor ? e.actor.id : '?'}`),
        e.reason ? h('em', { 'data-testid': 'history-reason' }, `“${e.reason}”`) : null,
        h('span', { class: 'spacer' }),
        h('button', { class: 'small', 'data-testid': 'history-goto', onclick: () => {
          slider.value = String(Date.parse(e.occurredAt));
          loadAsOf();
        } }, 'see it then')),
      diffTable(e.diff));

    /** One more page (the newest when cursor is null), appended below what is shown; false when refused. */
    const loadPage = async (cursor) => {
      try {
        const page = await ctx.api.projection('GET', `${base}/history?limit=${HISTORY_PAGE}`
          + (cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''));
        const fresh = page.entries || [];
        entries = entries.concat(fresh);
        nextCursor = page.nextCursor || null;
        timeline.append(...fresh.map(entryItem));
        older.classList.toggle('hidden', !nextCursor);
        count.textContent = `${entries.length} change(s) shown` + (nextCursor ? ', older ones on request' : ', all of them');
        return true;
      } catch (err) {
        toastError(err);
        return false;
      }
    };
    older.addEventListener('click', async () => {
      older.disabled = true;
      await loadPage(nextCursor);
      older.disabled = false;
      if (slider.disabled === false) highlight(asOf.querySelector('[data-version]')?.dataset.version);
    });

    if (!(await loadPage(null))) return undefined;
    if (entries.length) {
      // the slider spans the flag's whole life, also the part whose entries are not loaded yet
      let first = Date.parse(entries[entries.length - 1].occurredAt);
      if (nextCursor) {
        try {
          const v1 = await ctx.api.projection('GET', `${base}?version=1`);
          const at = v1 && v1.lastChange ? Date.parse(v1.lastChange.at) : NaN;
          if (!isNaN(at)) first = Math.min(first, at);
        } catch (err) {
          if (err.code !== 'VERSION_NOT_FOUND') toastError(err);
        }
      }
      const now = Math.max(Date.now(), Date.parse(entries[0].occurredAt));
      slider.min = String(first);
      slider.max = String(now);
      slider.step = '1';
      slider.value = String(now);
      slider.disabled = false;
      await loadAsOf();
    }
    return () => clearTimeout(pending);
  },
};
