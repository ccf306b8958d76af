// Shared helpers of the experiments, plans, change-request, evaluator, event and token screens.
// Not a screen itself (index.js does not list it). No innerHTML anywhere: every value is a text node.

const SVG_NS = 'http://www.w3.org/2000/svg';

/** An element: el('div', {class, 'data-testid', onclick, value, …}, child, [children], null, 'text'). */
export function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  applyAttrs(node, attrs);
  append(node, children);
  return node;
}

/** The same for SVG elements (charts). */
export function svg(tag, attrs, ...children) {
  const node = document.createElementNS(SVG_NS, tag);
  applyAttrs(node, attrs);
  append(node, children);
  return node;
}

function applyAttrs(node, attrs) {
  for (const [name, value] of Object.entries(attrs || {})) {
    if (value === null || value === undefined || value === false) {
      continue;
    }
    if (name.startsWith('on') && typeof value === 'function') {
      node.addEventListener(name.slice(2), value);
    } else if (name === 'value' && 'value' in node && !(node instanceof SVGElement)) {
      node.value = value;
    } else if (name === 'checked') {
      node.checked = Boolean(value);
    } else {
      node.setAttribute(name, value === true ? '' : String(value));
    }
  }
}

function append(node, children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) {
      continue;
    }
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

/** Replaces a node's children. */
export function fill(node, ...children) {
  node.replaceChildren();
  append(node, children);
  return node;
}

export function envPath(env, rest) {
  return '/api/v1/environments/' + encodeURIComponent(env) + rest;
}

export function enc(s) {
  return encodeURIComponent(s);
}

export function fmtTime(iso) {
  if (!iso) {
    return '—';
  }
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? String(iso) : d.toISOString().replace('T', ' ').replace(/\.\d+Z$/, 'Z');
}

export function fmtAgo(iso) {
  if (!iso) {
    return '—';
  }
  const s = Math.round((Date.now() - new Date(iso).getTime()) / 1000);
  if (s < 0) {
    return 'in ' + (-s) + ' s';
  }
  if (s < 120) {
    return s + ' s ago';
  }
  if (s < 7200) {
    return Math.round(s / 60) + ' min ago';
  }
  return Math.round(s / 3600) + ' h ago';
}

export function pct(x, digits = 1) {
  return x === null || x === undefined || Number.isNaN(x) ? '—' : (x * 100).toFixed(digits) + ' %';
}

export function num(x, digits = 3) {
  if (x === null || x === undefined || Number.isNaN(Number(x))) {
    return '—';
  }
  const text = Number(x).toFixed(digits);
  return text.includes('.') ? text.replace(/\.?0+$/, '') : text;
}

/** A small table: columns [{title, cell(row) → node|string, testid?}], rows; rowAttrs(row) → attrs of the tr. */
export function grid(columns, rows, rowAttrs, testid) {
  return el('table', {class: 'grid', 'data-testid': testid},
    el('thead', null, el('tr', null, columns.map(c => el('th', null, c.title)))),
    el('tbody', null, rows.map(row => el('tr', rowAttrs ? rowAttrs(row) : null,
      columns.map(c => el('td', c.testid ? {'data-testid': c.testid(row)} : null, c.cell(row)))))));
}

/** A labelled form field. */
export function field(label, input, hint) {
  return el('label', {class: 'field'}, el('span', {class: 'field-label'}, label), input,
    hint ? el('span', {class: 'field-hint'}, hint) : null);
}

/** Runs an API action, showing its refusal through the toast; returns the answer or undefined. */
export async function attempt(toastError, action) {
  try {
    return await action();
  } catch (err) {
    toastError(err);
    return undefined;
  }
}

/** A random key for Idempotency-Key headers (one per click, so a retried click is not written twice). */
export function idempotencyKey() {
  const bytes = new Uint8Array(12);
  crypto.getRandomValues(bytes);
  return 'console-' + Array.from(bytes, b => b.toString(16).padStart(2, '0')).join('');
}

/** Repeats fn every ms while the screen is shown; returns a stop function. Errors go to onError once per streak. */
export function every(ms, fn) {
  let stopped = false;
  let timer = null;
  const tick = async () => {
    if (stopped) {
      return;
    }
    try {
      await fn();
    } finally {
      if (!stopped) {
        timer = setTimeout(tick, ms);
      }
    }
  };
  timer = setTimeout(tick, ms);
  return () => {
    stopped = true;
    clearTimeout(timer);
  };
}

/**
* An interval chart: one row per item {label, value, low, high, highlight}, a vertical line at zero
* (or at `reference`), each interval a bar with the point estimate as a dot. Values in the unit given
* by format(x).
*/
export function intervalChart(items, {reference = 0, format = x => num(x), testid, width = 560} = {}) {
  const rowH = 34;
  const left = 130;
  const right = 20;
  const height = items.length * rowH + 30;
  const values = items.flatMap(i => [i.low, i.high, i.value]).filter(v => v !== null && v !== undefined && Number.isFinite(v));
  values.push(reference);
  let lo = Math.min(...values);
  let hi = Math.max(...values);
  if (hi - lo < 1e-9) {
    lo -= 1;
    hi += 1;
  }
  const pad = (hi - lo) * 0.08;
  lo -= pad;
  hi += pad;
  const x = v => left + (v - lo) / (hi - lo) * (width - left - right);
  const parts = [
    svg('line', {x1: x(reference), x2: x(reference), y1: 5, y2: height - 22, class: 'chart-reference'}),
    svg('text', {x: x(reference), y: height - 6, 'text-anchor': 'middle', class: 'chart-axis'}, format(reference)),
    svg('text', {x: left, y: height - 6, 'text-anchor': 'start', class: 'chart-axis'}, format(lo)),
    svg('text', {x: width - right, y: height - 6, 'text-anchor': 'end', class: 'chart-axis'}, format(hi)),
  ];
  items.forEach((item, i) => {
    const y = 18 + i * rowH;
    parts.push(svg('text', {x: left - 8, y: y + 4, 'text-anchor': 'end', class: 'chart-label'}, item.label));
    if (Number.isFinite(item.low) && Number.isFinite(item.high)) {
      parts.push(svg('line', {x1: x(item.low), x2: x(item.high), y1: y, y2: y,
        class: item.highlight ? 'chart-interval chart-significant' : 'chart-interval',
        'data-testid': item.testid}));
      parts.push(svg('line', {x1: x(item.low), x2: x(item.low), y1: y - 6, y2: y + 6, class: 'chart-interval'}));
      parts.push(svg('line', {x1: x(item.high), x2: x(item.high), y1: y - 6, y2: y + 6, class: 'chart-interval'}));
    }
    if (Number.isFinite(item.value)) {
      parts.push(svg('circle', {cx: x(item.value), cy: y, r: 5, class: 'chart-point'}));
      parts.push(svg('text', {x: x(item.value), y: y - 9, 'text-anchor': 'middle', class: 'chart-value'}, format(item.value)));
    }
  });
  return svg('svg', {class: 'chart', viewBox: `0 0 ${width} ${height}`, width, height, 'data-testid': testid, role: 'img'}, parts);
}

/**
* A time series against a limit: points [{at (ISO), value, verdict}], a horizontal dashed line at
* `limit`, breached points drawn as such.
*/
export function seriesChart(points, {limit, format = x => num(x), testid, width = 560, height = 180} = {}) {
  const left = 60;
  const right = 16;
  const top = 12;
  const bottom = 26;
  const usable = points.filter(p => Number.isFinite(p.value));
  const times = points.map(p => new Date(p.at).getTime());
  const t0 = times.length ? Math.min(...times) : Date.now() - 60000;
  let t1 = times.length ? Math.max(...times) : Date.now();
  if (t1 - t0 < 1000) {
    t1 = t0 + 1000;
  }
  const vals = usable.map(p => p.value);
  if (Number.isFinite(limit)) {
    vals.push(limit);
  }
  vals.push(0);
  let hi = Math.max(...vals);
  if (hi <= 0) {
    hi = 1;
  }
  hi *= 1.15;
  const x = t => left + (t - t0) / (t1 - t0) * (width - left - right);
  const y = v => top + (1 - v / hi) * (height - top - bottom);
  const parts = [
    svg('line', {x1: left, x2: left, y1: top, y2: height - bottom, class: 'chart-axis-line'}),
    svg('line', {x1: left, x2: width - right, y1: height - bottom, y2: height - bottom, class: 'chart-axis-line'}),
    svg('text', {x: left - 6, y: y(0) + 4, 'text-anchor': 'end', class: 'chart-axis'}, format(0)),
    svg('text', {x: left - 6, y: top + 8, 'text-anchor': 'end', class: 'chart-axis'}, format(hi)),
    svg('text', {x: left, y: height - 8, class: 'chart-axis'}, fmtTime(new Date(t0).toISOString()).slice(11)),
    svg('text', {x: width - right, y: height - 8, 'text-anchor': 'end', class: 'chart-axis'},
      fmtTime(new Date(t1).toISOString()).slice(11)),
  ];
  if (Number.isFinite(limit)) {
    parts.push(svg('line', {x1: left, x2: width - right, y1: y(limit), y2: y(limit), class: 'chart-limit'}));
    parts.push(svg('text', {x: width - right, y: y(limit) - 4, 'text-anchor': 'end', class: 'chart-limit-label'},
      'limit ' + format(limit)));
  }
  if (usable.length > 1) {
    const d = usable.map((p, i) => (i ? 'L' : 'M') + x(new Date(p.at).getTime()).toFixed(1) + ' ' + y(p.value).toFixed(1)).join(' ');
    parts.push(svg('path', {d, class: 'chart-line'}));
  }
  for (const p of usable) {
    parts.push(svg('circle', {cx: x(new Date(p.at).getTime()), cy: y(p.value), r: 3.5,
      class: p.verdict === 'BREACHED' ? 'chart-point chart-breached' : 'chart-point'},
      svg('title', null, fmtTime(p.at) + ' ' + format(p.value) + ' ' + (p.verdict || ''))));
  }
  if (!usable.length) {
    parts.push(svg('text', {x: width / 2, y: height / 2, 'text-anchor': 'middle', class: 'chart-empty'}, 'no readings yet'));
  }
  return svg('svg', {class: 'chart', viewBox: `0 0 ${width} ${height}`, width, height, 'data-testid': testid, role: 'img'}, parts);
}

/**
* Puts an event's row into a newest-first list by its instant (data-at): a stream replayed from an
* instant delivers partition by partition, not in time order.
*/
export function insertNewestFirst(list, row, at) {
  const ms = at ? Date.parse(at) || 0 : 0;
  row.setAttribute('data-at', String(ms));
  for (const child of list.children) {
    if (Number(child.getAttribute('data-at') || 0) <= ms) {
      list.insertBefore(row, child);
      return;
    }
  }
  list.append(row);
}
