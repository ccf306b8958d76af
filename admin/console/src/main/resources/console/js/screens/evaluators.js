// Evaluators: every edge node and SDK client reporting for the environment, with kind, host, status,
// liveness, lag and last seen (projection GET /api/v1/environments/{env}/evaluators), refreshed every 5 s.
import {toastError} from '../ui.js';
import {el, fill, grid, envPath, fmtTime, fmtAgo, every} from './common.js';

const LIVENESS_ORDER = {live: 0, stale: 1, gone: 2};

export default {
  id: 'evaluators',
  title: 'Evaluators',
  nav: true,
  routes: ['evaluators'],
  render(root, params, ctx) {
    const counts = el('div', {class: 'counts', 'data-testid': 'evaluator-counts'});
    const list = el('div', {'data-testid': 'evaluators-list'}, 'loading…');
    const everywhere = el('input', {type: 'checkbox', 'data-testid': 'evaluators-all'});
    fill(root, el('section', {class: 'screen', 'data-testid': 'evaluators-screen'},
      el('div', {class: 'screen-head'}, el('h1', null, 'Evaluators — ', ctx.env),
        el('label', null, everywhere, ' every environment')),
      counts, list));
    const load = async () => {
      const answer = await ctx.api.projection('GET', everywhere.checked ? '/api/v1/evaluators' : envPath(ctx.env, '/evaluators'));
      fill(counts, Object.entries(answer.counts || {}).map(([k, n]) =>
        el('span', {class: 'badge liveness-' + k, 'data-testid': `evaluators-count-${k}`}, `${n} ${k}`)));
      const rows = [...answer.evaluators].sort((a, b) => (LIVENESS_ORDER[a.liveness] ?? 9) - (LIVENESS_ORDER[b.liveness] ?? 9)
        || a.nodeId.localeCompare(b.nodeId));
      fill(list, rows.length === 0 ? el('p', {class: 'empty'}, 'No evaluator has reported for ', ctx.env, ' yet.') : grid([
        {title: 'node', cell: n => n.nodeId},
        {title: 'kind', cell: n => n.kind, testid: n => `evaluator-kind-${n.nodeId}`},
        {title: 'host', cell: n => n.host},
        {title: 'environments', cell: n => (n.environments || []).join(', ')},
        {title: 'liveness', cell: n => el('span', {class: 'badge liveness-' + n.liveness}, n.liveness),
          testid: n => `evaluator-liveness-${n.nodeId}`},
        {title: 'status', cell: n => n.status + (n.staleSince ? ` since ${fmtTime(n.staleSince)}` : ''),
          testid: n => `evaluator-status-${n.nodeId}`},
        {title: 'lag (records)', cell: n => n.lagRecords === null || n.lagRecords === undefined ? '—' : String(n.lagRecords)},
        {title: 'last seen', cell: n => el('span', {title: fmtTime(n.lastSeen)}, fmtAgo(n.lastSeen))},
        {title: 'started', cell: n => fmtTime(n.startedAt)},
        {title: 'version', cell: n => n.softwareVersion || '—'},
        {title: 'dropped', cell: n => String((n.droppedSinceStart || 0) + (n.droppedByProjection || 0))},
      ], rows, n => ({'data-testid': `evaluator-row-${n.nodeId}`, 'data-liveness': n.liveness, class: 'liveness-' + n.liveness}),
      'evaluators-table'));
    };
    let failing = false;
    const tick = async () => {
      try {
        await load();
        failing = false;
      } catch (err) {
        if (!failing) {
          toastError(err);
        }
        failing = true;
      }
    };
    everywhere.addEventListener('change', tick);
    tick();
    return every(5000, tick);
  },
};
