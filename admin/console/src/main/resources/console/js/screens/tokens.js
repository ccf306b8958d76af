// Tokens and people (admins): every configured principal with its kind and grants per environment
// (command GET /api/v1/tokens — ids, kinds and grants, never tokens or hashes). Anyone else sees the
// API's own refusal.
import {toastError} from '../ui.js';
import {el, fill, grid, attempt} from './common.js';

const KIND_TITLES = {USER: 'people (personal tokens)', SERVICE_TOKEN: 'service tokens', SYSTEM: 'system'};

export default {
  id: 'tokens',
  title: 'Tokens & people',
  nav: true,
  adminOnly: true, // left out of the nav for non-admins; opened directly, the API's refusal shows
  routes: ['tokens'],
  render(root, params, ctx) {
    const search = el('input', {'data-testid': 'tokens-search', placeholder: 'filter by id or environment'});
    const body = el('div', {'data-testid': 'tokens-list'}, 'loading…');
    fill(root, el('section', {class: 'screen', 'data-testid': 'tokens-screen'},
      el('div', {class: 'screen-head'}, el('h1', null, 'Tokens & people'), search),
      el('p', {class: 'muted'}, 'Mint a token with ', el('code', null, 'bin/flagplane token --id <id> --grant <env>=<role>'),
        '; people may also sign in with the identity provider\'s JWT (README, "People").'),
      body));
    let tokens = [];
    const draw = () => {
      const q = search.value.trim().toLowerCase();
      const rows = tokens.filter(t => !q || t.id.toLowerCase().includes(q)
        || Object.keys(t.grants || {}).some(e => e.toLowerCase().includes(q)));
      const kinds = [...new Set(rows.map(t => t.kind))].sort();
      fill(body, rows.length === 0 ? el('p', {class: 'empty'}, 'No tokens match.') : kinds.map(kind => [
        el('h2', null, KIND_TITLES[kind] || kind),
        grid([
          {title: 'id', cell: t => t.id},
          {title: 'kind', cell: t => t.kind, testid: t => `token-kind-${t.id}`},
          {title: 'grants', cell: t => Object.entries(t.grants || {}).sort()
            .map(([env, role]) => el('span', {class: 'badge role-' + role}, `${env}: ${role}`)),
          testid: t => `token-grants-${t.id}`},
          {title: 'may approve', cell: t => t.kind === 'USER' ? 'yes (a person)' : 'no (never a service token)'},
        ], rows.filter(t => t.kind === kind).sort((a, b) => a.id.localeCompare(b.id)),
        t => ({'data-testid': `token-row-${t.id}`}), `tokens-${kind}`)]));
    };
    search.addEventListener('input', draw);
    (async () => {
      const answer = await attempt(toastError, () => ctx.api.command('GET', '/api/v1/tokens'));
      if (!answer) {
        fill(body, el('p', {class: 'empty', 'data-testid': 'tokens-refused'}, 'The command API refused the list (admins only).'));
        return;
      }
      tokens = answer.tokens;
      draw();
    })();
  },
};
