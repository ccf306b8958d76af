// The console's one way to the services: every call goes through the console's own origin,
// /upstream/<service>/<the service's path>, with the user's token. No credentials of its own.

const STORAGE_KEY = 'flagplane.session';

/** A refusal or failure, always with the API's own code and sentence. */
export class ApiError extends Error {
  constructor(status, code, message, field) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.field = field || null;
  }
}

function loadSession() {
  try {
    const saved = JSON.parse(sessionStorage.getItem(STORAGE_KEY) || 'null');
    return saved && typeof saved.token === 'string' ? saved : null;
  } catch (e) {
    return null;
  }
}

/** Keeps the principal whoami answered, beside the token, for this tab. */
function remember(whoami) {
  session.principal = principalFrom(whoami);
  sessionStorage.setItem(STORAGE_KEY, JSON.stringify({ token: session.token, principal: session.principal }));
  return session.principal;
}

/**
 * Who is signed in: the token (kept in sessionStorage, gone when the tab closes) and the principal
 * the command API says it is (GET /api/v1/whoami: id, kind, grants per environment, '*' for the rest).
 */
export const session = {
  token: null,
  principal: null,
  async login(token) {
    const trimmed = (token || '').trim();
    if (!trimmed) {
      throw new ApiError(0, 'TOKEN_MISSING', 'Paste a token: a personal token, a JWT or a service token.');
    }
    // the command-service says whether the token is good, and whose it is
    const who = await request('command', 'GET', '/api/v1/whoami', undefined, { token: trimmed });
    session.token = trimmed;
    return remember(who.body);
  },
  /** Asks again who the stored token is (grants may have changed since it was stored). */
  async refresh() {
    if (!session.token) return null;
    const who = await request('command', 'GET', '/api/v1/whoami');
    return remember(who.body);
  },
  /** The role in an environment: its own grant, else the wildcard's, else null (as the API decides). */
  roleIn(environment) {
    const grants = (session.principal && session.principal.grants) || {};
    return grants[environment] || grants['*'] || null;
  },
  /** Admin in some environment: the API then lets the token list through. */
  isAdminAnywhere() {
    const grants = (session.principal && session.principal.grants) || {};
    return Object.values(grants).includes('admin');
  },
  logout() {
    session.token = null;
    session.principal = null;
    sessionStorage.removeItem(STORAGE_KEY);
  },
};

function principalFrom(body) {
  const who = body && typeof body === 'object' ? body : {};
  return { id: String(who.id || '?'), kind: String(who.kind || '?'), grants: who.grants && typeof who.grants === 'object' ? who.grants : {} };
}

{
  const saved = loadSession();
  if (saved) {
    session.token = saved.token;
    session.principal = saved.principal && saved.principal.grants ? saved.principal : null;
  }
}

const SERVICES = { command: '/upstream/command', projection: '/upstream/projection', edge: '/upstream/edge' };

/** Listeners told when a call comes back 401, so the shell can send the user to the login screen. */
const unauthorizedListeners = new Set();
export function onUnauthorized(listener) {
  unauthorizedListeners.add(listener);
  return () => unauthorizedListeners.delete(listener);
}

function url(service, path) {
  const base = SERVICES[service];
  if (!base) {
    throw new ApiError(0, 'UNKNOWN_SERVICE', `no service called ${service}`);
  }
  if (!path.startsWith('/')) {
    throw new ApiError(0, 'BAD_PATH', `a service path starts with '/', not ${path}`);
  }
  return base + path;
}

async function errorFrom(response) {
  const text = await response.text().catch(() => '');
  let body = null;
  try {
    body = text ? JSON.parse(text) : null;
  } catch (e) {
    body = null;
  }
  if (body && body.error && typeof body.error === 'object' && body.error.code) {
    return new ApiError(response.status, body.error.code, body.error.message || '', body.error.field);
  }
  if (body && body.errorCode) { // OFREP's shape, from an edge node
    return new ApiError(response.status, body.errorCode, body.errorDetails || '', null);
  }
  return new ApiError(response.status, 'HTTP_' + response.status,
    (text && text.length < 300 ? text : response.statusText) || `the service answered ${response.status}`);
}

async function request(service, method, path, body, options = {}) {
  const headers = new Headers(options.headers || {});
  const token = options.token !== undefined ? options.token : session.token;
  if (token) {
    headers.set('Authorization', 'Bearer ' + token);
  }
  if (!headers.has('Accept')) {
    headers.set('Accept', 'application/json');
  }
  const init = { method, headers, cache: 'no-store' };
  if (body !== undefined && body !== null) {
    headers.set('Content-Type', 'application/json');
    init.body = typeof body === 'string' ? body : JSON.stringify(body);
  }
  let response;
  try {
    response = await fetch(url(service, path), init);
  } catch (e) {
    throw new ApiError(0, 'NETWORK', `the console could not be reached: ${e.message}`);
  }
  if (!response.ok) {
    const error = await errorFrom(response);
    if (response.status === 401 && options.token === undefined) {
      unauthorizedListeners.forEach((listener) => listener(error));
    }
    throw error;
  }
  const text = response.status === 204 ? '' : await response.text();
  let parsed = null;
  if (text) {
    try {
      parsed = JSON.parse(text);
    } catch (e) {
      parsed = text;
    }
  }
  return { status: response.status, headers: response.headers, body: parsed };
}

function caller(service) {
  return (method, path, body, options) => request(service, method, path, body, options).then((r) => r.body);
}

function responder(service) {
  return (method, path, body, options) => request(service, method, path, body, options);
}

/**
 * Server-sent events read with fetch (EventSource cannot send Authorization). Calls
 * onEvent(type, data, id) per event (data parsed as JSON when it is JSON); reconnects with
 * Last-Event-ID after a dropped connection. Returns close().
 */
function stream(service, path, onEvent, onError) {
  let closed = false;
  let lastId = null;
  let controller = null;
  let retryMs = 1000;

  const dispatch = (block) => {
    let type = 'message';
    let id = null;
    const data = [];
    for (const line of block.split('\n')) {
      if (!line || line.startsWith(':')) continue;
      const colon = line.indexOf(':');
      const field = colon < 0 ? line : line.slice(0, colon);
      let value = colon < 0 ? '' : line.slice(colon + 1);
      if (value.startsWith(' ')) value = value.slice(1);
      if (field === 'event') type = value;
      else if (field === 'data') data.push(value);
      else if (field === 'id') id = value;
      else if (field === 'retry' && /^\d+$/.test(value)) retryMs = Number(value);
    }
    if (id !== null) lastId = id;
    if (data.length === 0) return;
    const raw = data.join('\n');
    let parsed = raw;
    try {
      parsed = JSON.parse(raw);
    } catch (e) {
      parsed = raw;
    }
    try {
      onEvent(type, parsed, id);
    } catch (e) {
      console.error('an event handler failed', e);
    }
  };

  const connect = async () => {
    while (!closed) {
      controller = new AbortController();
      const headers = { Accept: 'text/event-stream' };
      if (session.token) headers.Authorization = 'Bearer ' + session.token;
      if (lastId !== null) headers['Last-Event-ID'] = lastId;
      try {
        const response = await fetch(url(service, path), { headers, signal: controller.signal, cache: 'no-store' });
        if (!response.ok) {
          const error = await errorFrom(response);
          if (onError) onError(error);
          if (response.status >= 400 && response.status < 500) {
            closed = true; // a refusal: asking again would be refused again
            return;
          }
        } else {
          retryMs = 1000;
          const reader = response.body.getReader();
          const decoder = new TextDecoder();
          let buffer = '';
          for (;;) {
            const { value, done } = await reader.read();
            if (done) break;
            buffer += decoder.decode(value, { stream: true }).replace(/\r\n?/g, '\n');
            let end;
            while ((end = buffer.indexOf('\n\n')) >= 0) {
              dispatch(buffer.slice(0, end));
              buffer = buffer.slice(end + 2);
            }
          }
        }
      } catch (e) {
        if (closed) return;
        if (onError) onError(new ApiError(0, 'NETWORK', `the event stream broke: ${e.message}`));
      }
      if (closed) return;
      await new Promise((resolve) => setTimeout(resolve, retryMs));
    }
  };
  connect();
  return () => {
    closed = true;
    if (controller) controller.abort();
  };
}

export const api = {
  command: caller('command'),
  projection: caller('projection'),
  edge: caller('edge'),
  commandResponse: responder('command'),
  projectionResponse: responder('projection'),
  edgeResponse: responder('edge'),
  stream,
};

/** Encodes one path segment (a flag key, an environment name). */
export function seg(value) {
  return encodeURIComponent(value);
}
