// The console's shell: the login screen, the top bar (environment, who, logout), the left nav and
// the hash router (#/<env>/<route>). Screens register their routes in screens/index.js.
import { api, session, seg, onUnauthorized } from './api.js';
import { h, mount, toastError, describeError } from './ui.js';
import screens from './screens/index.js';

const app = document.getElementById('app');
let environments = [];
let disposeCurrent = null;
let shell = null;

/** Compiles 'flags/:key/history' into a matcher returning {key: ...} or null. */
function compile(pattern) {
  const names = [];
  const regex = new RegExp('^' + pattern.split('/').map((part) => {
    if (part.startsWith(':')) {
      names.push(part.slice(1));
      return '([^/]+)';
    }
    return part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  }).join('/') + '$');
  return (route) => {
    const m = regex.exec(route);
    if (!m) return null;
    const params = {};
    names.forEach((name, i) => {
      try {
        params[name] = decodeURIComponent(m[i + 1]);
      } catch (e) {
        params[name] = m[i + 1];
      }
    });
    return params;
  };
}

const routes = [];
for (const screen of screens) {
  for (const pattern of screen.routes) {
    routes.push({ screen, pattern, match: compile(pattern) });
  }
}

function parseHash() {
  const hash = location.hash.replace(/^#\/?/, '');
  const [path, query] = hash.split('?');
  const parts = path.split('/').filter((p) => p !== '');
  const env = parts.length ? decodeURIComponent(parts[0]) : null;
  return { env, route: parts.slice(1).join('/'), query: new URLSearchParams(query || '') };
}

export function navigate(hash) {
  location.hash = hash.startsWith('#') ? hash : '#' + hash;
}

function showLogin(message) {
  if (disposeCurrent) {
    disposeCurrent();
    disposeCurrent = null;
  }
  shell = null;
  const token = h('input', { type: 'password', 'data-testid': 'login-token', placeholder: 'token', autocomplete: 'off' });
  const error = h('p', { 'data-testid': 'login-error', class: message ? '' : 'hidden' }, message || '');
  const submit = h('button', { class: 'primary', type: 'submit', 'data-testid': 'login-submit' }, 'Sign in');
  const form = h('form', { class: 'login', 'data-testid': 'login' },
    h('h1', {}, 'Flagplane console'),
    h('p', {}, 'Sign in with your token: a personal token, a JWT from your identity provider, or the local stack\'s admin token. '
      + 'It stays in this tab only.'),
    h('label', { for: 'token' }, 'Token'), token, error, h('div', { class: 'row' }, submit));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    submit.disabled = true;
    try {
      await session.login(token.value);
      await start();
    } catch (err) {
      error.textContent = describeError(err);
      error.classList.remove('hidden');
      submit.disabled = false;
    }
  });
  mount(app, form);
  token.focus();
}

function buildShell() {
  const picker = h('select', { 'data-testid': 'env-picker', 'aria-label': 'environment' },
    environments.map((e) => h('option', { value: e.name }, e.name)));
  picker.addEventListener('change', () => {
    const { route } = parseHash();
    const keep = routes.find((r) => r.match(route) && !r.pattern.includes(':'));
    navigate(`/${seg(picker.value)}/${keep ? route : defaultRoute()}`);
  });
  const nav = h('nav', { class: 'nav', 'data-testid': 'nav' });
  const main = h('main', { class: 'main', 'data-testid': 'main' });
  const who = h('span', { class: 'whoami', 'data-testid': 'whoami' });
  const logout = h('button', { class: 'small', 'data-testid': 'logout', onclick: () => { session.logout(); showLogin(); } }, 'Sign out');
  mount(app, h('div', { class: 'shell' },
    h('header', { class: 'topbar' }, h('span', { class: 'brand' }, 'Flagplane'), picker, h('span', { class: 'spacer' }), who, logout),
    nav, main));
  shell = { picker, nav, main, who };
}

/** "ann@example.com · editor" for the environment shown (the role the API applies there). */
function renderWho(env) {
  const p = session.principal;
  if (!p) {
    mount(shell.who, '');
    return;
  }
  const role = session.roleIn(env);
  mount(shell.who, h('span', { 'data-testid': 'whoami-id', title: p.kind }, p.id), ' · ',
    h('span', { 'data-testid': 'whoami-role', class: 'badge role-' + (role || 'none') }, role || 'no access'));
}

/** Screens marked adminOnly (Tokens) are left out of the nav for everyone else; their route still answers. */
function visibleInNav(screen) {
  return screen.nav && (!screen.adminOnly || session.isAdminAnywhere());
}

function defaultRoute() {
  const first = screens.find(visibleInNav);
  return first ? first.routes[0] : '';
}

function renderNav(env, current) {
  mount(shell.nav, screens.filter(visibleInNav).map((s) => h('a', {
    href: `#/${seg(env)}/${s.routes[0]}`, 'data-testid': `nav-${s.id}`, class: s === current ? 'active' : null,
  }, s.title)));
}

function route() {
  if (!session.token) {
    showLogin();
    return;
  }
  if (!shell) buildShell();
  const { env, route: path, query } = parseHash();
  if (!env || !environments.some((e) => e.name === env)) {
    const fallback = environments.length ? environments[0].name : 'production';
    navigate(`/${seg(fallback)}/${path || defaultRoute()}`);
    return;
  }
  shell.picker.value = env;
  renderWho(env);
  let found = null;
  for (const r of routes) {
    const params = r.match(path);
    if (params) {
      found = { screen: r.screen, params };
      break;
    }
  }
  if (disposeCurrent) {
    try {
      disposeCurrent();
    } catch (e) {
      console.error(e);
    }
    disposeCurrent = null;
  }
  if (!found) {
    if (!path) {
      navigate(`/${seg(env)}/${defaultRoute()}`);
      return;
    }
    renderNav(env, null);
    mount(shell.main, h('p', { 'data-testid': 'not-found' }, `No screen at #/${env}/${path}.`));
    return;
  }
  renderNav(env, found.screen);
  const root = h('div', { 'data-testid': `screen-${found.screen.id}` });
  mount(shell.main, root);
  const ctx = { env, api, navigate, session, query, environments: environments.map((e) => e.name) };
  try {
    const result = found.screen.render(root, found.params, ctx);
    Promise.resolve(result).then((dispose) => {
      if (typeof dispose === 'function') {
        if (root.isConnected) disposeCurrent = dispose;
        else dispose();
      }
    }, toastError);
  } catch (err) {
    toastError(err);
  }
}

async function start() {
  try {
    if (!session.principal || !session.principal.grants) await session.refresh();
    const answer = await api.command('GET', '/api/v1/environments');
    environments = (answer && answer.environments ? answer.environments : []).filter((e) => !e.archived);
  } catch (err) {
    if (err.status === 401) {
      session.logout();
      showLogin(describeError(err));
      return;
    }
    toastError(err);
    environments = [];
  }
  shell = null;
  route();
}

onUnauthorized((err) => {
  session.logout();
  showLogin(describeError(err));
});
window.addEventListener('hashchange', route);
if (session.token) {
  start();
} else {
  showLogin();
}
