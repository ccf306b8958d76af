// Experiments (seed 003): the list, a create form, launch / pause / resume / stop, and the results
// per variant from the projection (rates, lift with intervals as an SVG chart, the SRM warning,
// "not enough data yet").
import {toastError, toastInfo, confirmDialog} from '../ui.js';
import {el, fill, field, grid, envPath, enc, fmtTime, pct, num, attempt, idempotencyKey, every, intervalChart} from './common.js';

const STATUS_ORDER = {RUNNING: 0, PAUSED: 1, DRAFT: 2, STOPPED: 3};

export default {
  id: 'experiments',
  title: 'Experiments',
  nav: true,
  routes: ['experiments', 'experiments/:key'],
  render(root, params, ctx) {
    return params.key ? renderOne(root, params.key, ctx) : renderList(root, ctx);
  },
};

function renderList(root, ctx) {
  const listBox = el('div', {'data-testid': 'experiments-list'}, 'loading…');
  const formBox = el('div');
  fill(root, el('section', {class: 'screen', 'data-testid': 'experiments-screen'},
    el('div', {class: 'screen-head'},
      el('h1', null, 'Experiments — ', ctx.env),
      el('button', {class: 'primary', 'data-testid': 'experiment-new', onclick: () => fill(formBox, createForm(ctx))},
        'New experiment')),
    formBox, listBox));
  const load = async () => {
    const answer = await attempt(toastError, () => ctx.api.command('GET', envPath(ctx.env, '/experiments')));
    if (!answer) {
      fill(listBox, 'could not read the experiments');
      return;
    }
    const rows = [...answer.experiments].sort((a, b) =>
      (STATUS_ORDER[a.status] ?? 9) - (STATUS_ORDER[b.status] ?? 9) || a.key.localeCompare(b.key));
    fill(listBox, rows.length === 0 ? el('p', {class: 'empty'}, 'No experiments in ', ctx.env, ' yet.') : grid([
      {title: 'experiment', cell: e => el('a', {href: `#/${enc(ctx.env)}/experiments/${enc(e.key)}`,
        'data-testid': `experiment-link-${e.key}`}, e.key)},
      {title: 'flag', cell: e => e.flagKey},
      {title: 'status', cell: e => el('span', {class: 'badge status-' + e.status.toLowerCase(),
        'data-testid': `experiment-status-${e.key}`}, e.status)},
      {title: 'primary metric', cell: e => e.definition?.primaryMetric
        ? `${e.definition.primaryMetric.eventKey} (${e.definition.primaryMetric.kind})` : '—'},
      {title: 'launched', cell: e => fmtTime(e.launchedAt)},
      {title: 'winner', cell: e => e.winner || '—'},
    ], rows, e => ({'data-testid': `experiment-row-${e.key}`})));
  };
  load();
}

/** Seed 003's shape (new flag with weighted variants) or an experiment on an existing flag's split. */
function createForm(ctx) {
  const key = el('input', {'data-testid': 'experiment-key', placeholder: 'pricing-display-test'});
  const description = el('input', {'data-testid': 'experiment-description', placeholder: 'what we test and why'});
  const mode = el('select', {'data-testid': 'experiment-mode'},
    el('option', {value: 'standalone'}, 'new flag with these variants (seed 003)'),
    el('option', {value: 'flag'}, 'on an existing flag\'s split'));
  const flagKey = el('input', {'data-testid': 'experiment-flag', placeholder: 'default experiment.<key>'});
  const variants = el('input', {'data-testid': 'experiment-variants', value: 'control:50, treatment:50'});
  const control = el('input', {'data-testid': 'experiment-control', placeholder: 'default: the first variant'});
  const ruleId = el('input', {'data-testid': 'experiment-rule', placeholder: 'default: the fallthrough'});
  const eventKey = el('input', {'data-testid': 'experiment-metric', value: 'conversion'});
  const kind = el('select', {'data-testid': 'experiment-metric-kind'},
    el('option', {value: 'conversion'}, 'conversion'), el('option', {value: 'value'}, 'value (sum)'));
  const minimumSample = el('input', {'data-testid': 'experiment-minimum-sample', type: 'number', min: 1,
    placeholder: '100'});
  const variantsRow = field('variants (key:relative weight)', variants);
  const ruleRow = field('rule whose split is measured', ruleId);
  const sync = () => {
    const standalone = mode.value === 'standalone';
    variantsRow.hidden = !standalone;
    ruleRow.hidden = standalone;
  };
  mode.addEventListener('change', sync);
  sync();
  const submit = async () => {
    const body = {key: key.value.trim()};
    if (description.value.trim()) {
      body.description = description.value.trim();
    }
    if (flagKey.value.trim()) {
      body.flagKey = flagKey.value.trim();
    }
    if (control.value.trim()) {
      body.controlVariant = control.value.trim();
    }
    const metric = {eventKey: eventKey.value.trim(), kind: kind.value};
    if (kind.value === 'value') {
      metric.aggregation = 'sum';
    }
    if (minimumSample.value.trim()) {
      metric.minimumSample = Number(minimumSample.value);
    }
    body.primaryMetric = metric;
    if (mode.value === 'standalone') {
      body.variants = variants.value.split(',').map(s => s.trim()).filter(Boolean).map(part => {
        const [k, w] = part.split(':').map(s => s.trim());
        return {key: k, weight: w === undefined || w === '' ? 1 : Number(w)};
      });
    } else if (ruleId.value.trim()) {
      body.ruleId = ruleId.value.trim();
    }
    const created = await attempt(toastError, () => ctx.api.command('POST', envPath(ctx.env, '/experiments'), body,
      {headers: {'Idempotency-Key': idempotencyKey()}}));
    if (created) {
      toastInfo(`experiment ${body.key} drafted`);
      ctx.navigate(`#/${enc(ctx.env)}/experiments/${enc(body.key)}`);
    }
  };
  return el('form', {class: 'card form', 'data-testid': 'experiment-form', onsubmit: e => {
    e.preventDefault();
    submit();
  }},
  el('h2', null, 'New experiment'),
  field('key', key), field('description', description), field('shape', mode),
  field('flag', flagKey, 'standalone: the flag to create; otherwise the flag it runs on'),
  variantsRow, ruleRow, field('control variant', control),
  field('primary metric (tracked event key)', eventKey), field('metric kind', kind),
  field('minimum sample per variant', minimumSample),
  el('div', {class: 'actions'}, el('button', {type: 'submit', class: 'primary', 'data-testid': 'experiment-create'}, 'Create draft')));
}

function renderOne(root, key, ctx) {
  const head = el('div', {class: 'screen-head'}, el('h1', null, 'Experiment ', key));
  const summary = el('div', {class: 'card', 'data-testid': 'experiment-summary'}, 'loading…');
  const actions = el('div', {class: 'actions', 'data-testid': 'experiment-actions'});
  const results = el('div', {class: 'card', 'data-testid': 'experiment-results'}, 'loading results…');
  fill(root, el('section', {class: 'screen', 'data-testid': 'experiment-screen'},
    el('a', {href: `#/${enc(ctx.env)}/experiments`, class: 'back', 'data-testid': 'experiments-back'}, '← experiments'),
    head, summary, actions, el('h2', null, 'Results'), results));
  const path = envPath(ctx.env, '/experiments/' + enc(key));
  let experiment = null;
  let etag = null;

  const loadExperiment = async () => {
    const answer = await attempt(toastError, () => ctx.api.commandResponse('GET', path));
    if (!answer) {
      fill(summary, 'could not read the experiment');
      return;
    }
    experiment = answer.body;
    etag = answer.headers?.get ? answer.headers.get('ETag') : answer.headers?.etag;
    const e = experiment;
    const d = e.definition || {};
    fill(summary,
      el('dl', {class: 'facts'},
        el('dt', null, 'status'), el('dd', null, el('span', {class: 'badge status-' + e.status.toLowerCase(),
          'data-testid': 'experiment-status'}, e.status),
        e.measuring ? el('span', {class: 'badge', 'data-testid': 'experiment-measuring'}, 'measuring') : null),
        el('dt', null, 'flag'), el('dd', null, el('a', {href: `#/${enc(ctx.env)}/flags/${enc(e.flagKey)}`}, e.flagKey),
          ` (v${e.flagVersion})`),
        el('dt', null, 'description'), el('dd', null, d.description || '—'),
        el('dt', null, 'split'), el('dd', null, d.ruleId ? `rule ${d.ruleId}` : 'fallthrough'),
        el('dt', null, 'control'), el('dd', null, d.controlVariant || '(the split\'s first variant)'),
        el('dt', null, 'arms'), el('dd', {'data-testid': 'experiment-arms'}, e.arms?.length
          ? e.arms.map(a => `${a.variant} ${a.weight} %`).join(' · ') : 'fixed at launch'),
        el('dt', null, 'metrics'), el('dd', null, [d.primaryMetric, ...(d.secondaryMetrics || [])].filter(Boolean)
          .map((m, i) => `${m.eventKey} (${m.kind}${i === 0 ? ', primary' : ''}${m.minimumSample ? ', ≥ ' + m.minimumSample + ' users' : ''})`)
          .join(' · ')),
        el('dt', null, 'launched'), el('dd', null, fmtTime(e.launchedAt)),
        el('dt', null, 'stopped'), el('dd', null, fmtTime(e.stoppedAt), e.winner ? ` — winner ${e.winner}` : '')));
    renderActions();
  };

  const step = async (name, body) => {
    const headers = {'Idempotency-Key': idempotencyKey()};
    if (etag) {
      headers['If-Match'] = etag;
    }
    const done = await attempt(toastError, () => ctx.api.command('POST', path + '/' + name, body, {headers}));
    if (done) {
      toastInfo(`${name}: ${key} is ${done.experiment?.status || done.status || 'changed'}`);
      await loadExperiment();
      await attempt(toastError, loadResults);
    }
  };

  const confirmStep = async (name, title, body, extra = {}) => {
    const answer = await confirmDialog({title, body, confirmLabel: name, withReason: true});
    if (answer?.confirmed) {
      const payload = {...extra};
      if (answer.reason) {
        payload.reason = answer.reason;
      }
      await step(name, payload);
    }
  };

  const renderActions = () => {
    const s = experiment.status;
    const winner = el('select', {'data-testid': 'experiment-winner'}, el('option', {value: ''}, 'no winner (the split keeps serving)'),
      (experiment.arms || []).map(a => el('option', {value: a.variant}, a.variant)));
    fill(actions,
      s === 'DRAFT' ? el('button', {class: 'primary', 'data-testid': 'experiment-launch', onclick: () => confirmStep('launch',
        `Launch ${key}?`, `Its flag ${experiment.flagKey} starts serving the split and evaluators log exposures.`)}, 'Launch') : null,
      s === 'RUNNING' ? el('button', {'data-testid': 'experiment-pause', onclick: () => confirmStep('pause',
        `Pause ${key}?`, 'The split keeps serving; exposures stop being measured.')}, 'Pause') : null,
      s === 'PAUSED' ? el('button', {'data-testid': 'experiment-resume', onclick: () => confirmStep('resume',
        `Resume ${key}?`, 'Exposures are measured again.')}, 'Resume') : null,
      s === 'RUNNING' || s === 'PAUSED' ? [winner, el('button', {class: 'danger', 'data-testid': 'experiment-stop',
        onclick: () => confirmStep('stop', `Stop ${key}?`, winner.value
          ? `The flag then serves ${winner.value} to everyone. Stopping is final.`
          : 'The split keeps serving. Stopping is final.', winner.value ? {winner: winner.value} : {})}, 'Stop')] : null);
  };

  const loadResults = async () => {
    let r;
    try {
      r = await ctx.api.projection('GET', path + '/results');
    } catch (err) {
      if (err.code === 'EXPERIMENT_NOT_FOUND' || err.status === 404) {
        fill(results, el('p', {'data-testid': 'experiment-results-pending'}, 'The projection has not seen this experiment yet.'));
        return;
      }
      throw err;
    }
    fill(results, resultsView(r));
  };

  loadExperiment().then(() => attempt(toastError, loadResults));
  let failing = false;
  const stop = every(2000, async () => {
    try {
      await loadResults();
      failing = false;
    } catch (err) {
      if (!failing) {
        toastError(err);
      }
      failing = true;
    }
  });
  return () => stop();
}

function resultsView(r) {
  const parts = [];
  parts.push(el('p', {class: 'muted'}, `status ${r.status}; ${r.users ?? 0} users, ${r.exposures ?? 0} exposures`,
    r.mixedUsers ? `, ${r.mixedUsers} mixed users (served two variants: excluded)` : '', '; computed ', fmtTime(r.computedAt)));
  if (!r.enoughData) {
    parts.push(el('div', {class: 'notice', 'data-testid': 'experiment-not-enough'},
      r.notEnoughDataReason || 'not enough data yet'));
  } else {
    parts.push(el('div', {class: 'notice ok', 'data-testid': 'experiment-enough'}, 'enough data for every metric'));
  }
  if (r.sampleRatio?.mismatch) {
    parts.push(el('div', {class: 'notice danger', 'data-testid': 'experiment-srm'},
      `Sample ratio mismatch: the users per variant do not match the weights (χ² ${num(r.sampleRatio.chiSquare, 2)}, `
      + `p ${fmtP(r.sampleRatio.pValue)} < ${r.sampleRatio.threshold}). The assignment is suspect: do not trust these results.`));
  } else if (r.sampleRatio) {
    parts.push(el('p', {class: 'muted', 'data-testid': 'experiment-srm-ok'},
      `sample ratio as expected (p ${fmtP(r.sampleRatio.pValue)})`));
  }
  if (r.variants?.length) {
    parts.push(grid([
      {title: 'variant', cell: v => [v.variant, v.control ? el('span', {class: 'badge'}, 'control') : null]},
      {title: 'weight', cell: v => `${num(v.weight / 100, 2)} %`}, // basis points
      {title: 'users', cell: v => String(v.users), testid: v => `result-users-${v.variant}`},
      {title: 'exposures', cell: v => String(v.exposures)},
    ], r.variants, v => ({'data-testid': `result-variant-${v.variant}`}), 'experiment-variants'));
  }
  for (const m of r.metrics || []) {
    const conversion = m.kind === 'conversion';
    parts.push(el('h3', null, m.eventKey, ' — ', m.kind, m.primary ? ' (primary)' : '',
      m.enoughData ? '' : ' — not enough data yet'));
    parts.push(grid([
      {title: 'variant', cell: v => v.variant},
      {title: 'users', cell: v => String(v.users)},
      {title: conversion ? 'conversions' : 'mean', cell: v => conversion ? String(v.conversions) : num(v.mean, 3)},
      {title: conversion ? 'rate' : 'sum', cell: v => conversion ? pct(v.rate, 2) : num(v.sum, 2),
        testid: v => `metric-${m.eventKey}-rate-${v.variant}`},
    ], m.variants || [], v => ({'data-testid': `metric-${m.eventKey}-variant-${v.variant}`})));
    const comps = m.comparisons || [];
    if (comps.length) {
      parts.push(grid([
        {title: 'variant vs control', cell: c => `${c.variant} vs ${c.against}`},
        {title: 'difference (95 % CI)', cell: c => `${fmtDiff(c.fixedHorizon.difference, conversion)} `
          + `[${fmtDiff(c.fixedHorizon.differenceCi?.[0], conversion)}, ${fmtDiff(c.fixedHorizon.differenceCi?.[1], conversion)}]`},
        {title: 'relative lift (95 % CI)', cell: c => `${pct(c.fixedHorizon.relativeLift)} `
          + `[${pct(c.fixedHorizon.relativeLiftCi?.[0])}, ${pct(c.fixedHorizon.relativeLiftCi?.[1])}]`,
        testid: c => `lift-${m.eventKey}-${c.variant}`},
        {title: 'p (fixed horizon)', cell: c => fmtP(c.fixedHorizon.pValue)
          + (c.fixedHorizon.significant ? ' ✓ significant' : '')},
        {title: 'always-valid (any look)', cell: c => `p ${fmtP(c.alwaysValid?.pValue)} `
          + `[${fmtDiff(c.alwaysValid?.differenceCi?.[0], conversion)}, ${fmtDiff(c.alwaysValid?.differenceCi?.[1], conversion)}]`
          + (c.alwaysValid?.significant ? ' ✓' : '')},
      ], comps, c => ({'data-testid': `comparison-${m.eventKey}-${c.variant}`})));
      parts.push(el('div', {class: 'chart-box'},
        el('div', {class: 'muted'}, 'difference against the control, 95 % intervals (bold: fixed horizon; thin: always valid)'),
        intervalChart(comps.flatMap(c => [
          {label: c.variant, value: c.fixedHorizon.difference, low: c.fixedHorizon.differenceCi?.[0],
            high: c.fixedHorizon.differenceCi?.[1], highlight: c.fixedHorizon.significant,
            testid: `interval-${m.eventKey}-${c.variant}`},
          {label: c.variant + ' (any look)', value: c.fixedHorizon.difference, low: c.alwaysValid?.differenceCi?.[0],
            high: c.alwaysValid?.differenceCi?.[1], highlight: false},
        ]), {format: x => fmtDiff(x, conversion), testid: `chart-${m.eventKey}`})));
    }
  }
  return parts;
}

function fmtDiff(x, conversion) {
  if (x === null || x === undefined || !Number.isFinite(x)) {
    return '—';
  }
  return conversion ? (x >= 0 ? '+' : '') + (x * 100).toFixed(1) + ' pp' : (x >= 0 ? '+' : '') + num(x, 2);
}

/** A p-value as people read it: "= 0.0423", "< 0.000001". */
function fmtP(p) {
  if (p === null || p === undefined || !Number.isFinite(p)) {
    return '—';
  }
  return p < 1e-6 ? '< 0.000001' : '= ' + num(p, p < 0.001 ? 6 : 4);
}
