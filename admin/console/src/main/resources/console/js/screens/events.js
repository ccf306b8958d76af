// The SRE live stream: every change as it commits (projection GET /api/v1/events/stream), newest on
// top, filtered by flag / tag / type (the stream's own filters), paused and resumed without losing
// what arrived meanwhile.
import {toastError} from '../ui.js';
import {el, fill, enc, fmtTime, insertNewestFirst} from './common.js';

const MAX_ROWS = 500;

export default {
  id: 'events',
  title: 'Live events',
  nav: true,
  routes: ['events'],
  render(root, params, ctx) {
    const flag = el('input', {'data-testid': 'events-filter-flag', placeholder: 'flag key'});
    const tag = el('input', {'data-testid': 'events-filter-tag', placeholder: 'tag'});
    const type = el('input', {'data-testid': 'events-filter-type', placeholder: 'type, e.g. FlagKilled'});
    const pause = el('button', {'data-testid': 'events-pause'}, 'Pause');
    const state = el('span', {class: 'muted', 'data-testid': 'events-state'}, 'connecting…');
    const list = el('ol', {class: 'event-list', 'data-testid': 'events-list'});
    let paused = false;
    let held = [];
    let close = null;
    let count = 0;

    const row = (type, data, id) => el('li', {class: 'event event-' + type, 'data-testid': 'event-row',
      'data-key': data.key, 'data-type': data.type, 'data-id': id || ''},
    el('span', {class: 'muted'}, fmtTime(data.occurredAt || data.at)), ' ',
    el('span', {class: 'badge'}, data.kind || type), ' ',
    el('strong', {'data-testid': 'event-key'}, data.key || ''), data.version ? ` v${data.version}` : '', ' ',
    el('span', {'data-testid': 'event-type'}, data.type || type), ' ',
    data.summary ? el('span', null, '— ', data.summary, ' ') : null,
    data.actor ? el('span', {class: 'muted'}, 'by ', data.actor.id) : null,
    data.reason ? el('span', {class: 'muted'}, ` (${data.reason})`) : null,
    data.policyBypassed ? el('span', {class: 'badge attention'}, 'policy bypassed') : null);

    const show = items => {
      for (const [t, d, id] of items) {
        insertNewestFirst(list, row(t, d, id), d.occurredAt || d.at);
      }
      while (list.children.length > MAX_ROWS) {
        list.lastChild.remove();
      }
    };

    const connect = () => {
      if (close) {
        close();
      }
      fill(list);
      held = [];
      count = 0;
      // from a minute back, so a change made while the stream connects is not missed
      const q = [`environment=${enc(ctx.env)}`, `since=${enc(new Date(Date.now() - 60000).toISOString())}`];
      for (const [name, input] of [['flag', flag], ['tag', tag], ['type', type]]) {
        if (input.value.trim()) {
          q.push(`${name}=${enc(input.value.trim())}`);
        }
      }
      fill(state, 'live');
      close = ctx.api.stream('projection', '/api/v1/events/stream?' + q.join('&'), (t, data, id) => {
        if (t === 'heartbeat' || !data) {
          return;
        }
        count++;
        if (paused) {
          held.push([t, data, id]);
          fill(state, `paused — ${held.length} new event(s) held`);
        } else {
          show([[t, data, id]]);
        }
      }, err => {
        fill(state, 'disconnected: ' + (err?.code || '') + ' ' + (err?.message || ''));
        toastError(err);
      });
    };

    pause.addEventListener('click', () => {
      paused = !paused;
      fill(pause, paused ? 'Resume' : 'Pause');
      pause.setAttribute('data-testid', paused ? 'events-resume' : 'events-pause');
      if (!paused) {
        show(held);
        held = [];
        fill(state, 'live');
      } else {
        fill(state, 'paused');
      }
    });
    let typing = null;
    for (const input of [flag, tag, type]) {
      input.addEventListener('input', () => {
        clearTimeout(typing);
        typing = setTimeout(connect, 400);
      });
    }

    fill(root, el('section', {class: 'screen', 'data-testid': 'events-screen'},
      el('div', {class: 'screen-head'}, el('h1', null, 'Live events — ', ctx.env), state),
      el('div', {class: 'filters'}, flag, tag, type, pause),
      list));
    connect();
    return () => {
      clearTimeout(typing);
      if (close) {
        close();
      }
    };
  },
};
