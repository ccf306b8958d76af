// Rollout plans: the list, start from a preset (seed-001, seed-000-roles, seed-002-percent), the steps
// with their gates and state, guardrail charts from the projection's readings over time, go / no-go,
// pause, resume, cancel and roll back; the plan's events (a breach, a rollback) shown as they happen
// from the live event stream.
import {toastError, toastInfo, confirmDialog} from '../ui.js';
import {el, fill, field, grid, envPath, enc, fmtTime, fmtAgo, num, pct, attempt, idempotencyKey, every, seriesChart, insertNewestFirst} from './common.js';

/** Plan actions sent without If-Match: the safety actions. */
const UNCONDITIONAL = new Set(['pause', 'rollback', 'cancel']);

/** Each preset's step names (PlanPresets), so one hold time can be given for every step. */
const PRESET_STEPS = {
  'seed-001': ['internal', 'beta', 'expanded', 'general'],
  'seed-000-roles': ['pilot', 'finance', 'broader-org', 'fuzzy-match'],
  'seed-002-percent': ['1-percent', '10-percent', '50-percent', '100-percent'],
};
const ACTIVE = new Set(['RUNNING', 'PAUSED']);
const STATUS_ORDER = {RUNNING: 0, PAUSED: 1, DRAFT: 2, COMPLETED: 3, ROLLED_BACK: 4, CANCELLED: 5};

export default {
  id: 'plans',
  title: 'Rollout plans',
  nav: true,
  routes: ['plans', 'plans/:key'],
  render(root, params, ctx) {
    return params.key ? renderOne(root, params.key, ctx) : renderList(root, ctx);
  },
};

function renderList(root, ctx) {
  const listBox = el('div', {'data-testid': 'plans-list'}, 'loading…');
  const formBox = el('div');
  fill(root, el('section', {class: 'screen', 'data-testid': 'plans-screen'},
    el('div', {class: 'screen-head'}, el('h1', null, 'Rollout plans — ', ctx.env),
      el('button', {class: 'primary', 'data-testid': 'plan-new', onclick: () => fill(formBox, createForm(ctx))},
        'New plan from a preset')),
    formBox, listBox));
  (async () => {
    const answer = await attempt(toastError, () => ctx.api.command('GET', envPath(ctx.env, '/plans')));
    if (!answer) {
      fill(listBox, 'could not read the plans');
      return;
    }
    const rows = [...answer.plans].sort((a, b) => (STATUS_ORDER[a.status] ?? 9) - (STATUS_ORDER[b.status] ?? 9)
      || a.key.localeCompare(b.key));
    fill(listBox, rows.length === 0 ? el('p', {class: 'empty'}, 'No rollout plans in ', ctx.env, ' yet.') : grid([
      {title: 'plan', cell: p => el('a', {href: `#/${enc(ctx.env)}/plans/${enc(p.key)}`, 'data-testid': `plan-link-${p.key}`}, p.key)},
      {title: 'flags', cell: p => p.definition.flagKeys.join(', ')},
      {title: 'preset', cell: p => p.definition.preset || '—'},
      {title: 'status', cell: p => el('span', {class: 'badge status-' + p.status.toLowerCase(), 'data-testid': `plan-status-${p.key}`},
        p.status)},
      {title: 'step', cell: p => p.currentStep < 0 ? '—'
        : `${p.currentStepName} (${p.currentStep + 1} of ${p.definition.steps.length})`},
      {title: 'waiting for a go', cell: p => p.awaitingApproval ? 'yes' : ''},
    ], rows, p => ({'data-testid': `plan-row-${p.key}`})));
  })();
}

function createForm(ctx) {
  const key = el('input', {'data-testid': 'plan-key', placeholder: 'checkout-rollout'});
  const flags = el('input', {'data-testid': 'plan-flags', placeholder: 'flag keys, comma-separated'});
  const preset = el('select', {'data-testid': 'plan-preset'},
    el('option', {value: 'seed-002-percent'}, 'seed-002-percent: 1 → 10 → 50 → 100 %, a go at each'),
    el('option', {value: 'seed-001'}, 'seed-001: internal → beta → expanded → general'),
    el('option', {value: 'seed-000-roles'}, 'seed-000-roles: role phases, a go at each'));
  const internalUsers = el('input', {'data-testid': 'plan-internal-users', placeholder: 'seed-001: internal testers\' ids'});
  const variant = el('input', {'data-testid': 'plan-variant', placeholder: 'default: the boolean\'s true variant'});
  const manual = el('input', {type: 'checkbox', 'data-testid': 'plan-manual', checked: true});
  const hold = el('input', {type: 'number', min: 0, 'data-testid': 'plan-hold', placeholder: 'the preset\'s (days)'});
  const rollback = el('select', {'data-testid': 'plan-rollback-action'},
    ['restore', 'kill', 'previous_step'].map(a => el('option', {value: a}, a)));
  const gName = el('input', {'data-testid': 'plan-guardrail-name', placeholder: 'error-rate (optional)'});
  const gEvent = el('input', {'data-testid': 'plan-guardrail-event', placeholder: 'http_error'});
  const gPer = el('input', {'data-testid': 'plan-guardrail-per', placeholder: 'request (blank: per exposed user)'});
  const gLimit = el('input', {type: 'number', step: 'any', 'data-testid': 'plan-guardrail-limit', placeholder: '0.05'});
  const startNow = el('input', {type: 'checkbox', 'data-testid': 'plan-start-now', checked: true});
  const submit = async () => {
    const chosen = preset.value;
    const params = {};
    if (chosen === 'seed-001') {
      params.internalUsers = internalUsers.value.split(',').map(s => s.trim()).filter(Boolean);
    }
    if (chosen !== 'seed-000-roles' && variant.value.trim()) {
      params.variant = variant.value.trim();
    }
    if (chosen === 'seed-002-percent') {
      params.manualApproval = manual.checked;
    }
    if (hold.value.trim()) {
      params.holdSeconds = Object.fromEntries(PRESET_STEPS[chosen].map(s => [s, Number(hold.value)]));
    }
    const body = {key: key.value.trim(), flagKeys: flags.value.split(',').map(s => s.trim()).filter(Boolean),
      preset: chosen, presetParameters: params, rollbackAction: rollback.value};
    if (gName.value.trim()) {
      const g = {name: gName.value.trim(), kind: 'threshold', eventKey: gEvent.value.trim(), limit: Number(gLimit.value)};
      if (gPer.value.trim()) {
        g.perEventKey = gPer.value.trim();
      }
      body.guardrails = [g];
    }
    const created = await attempt(toastError, () => ctx.api.command('POST', envPath(ctx.env, '/plans'), body,
      {headers: {'Idempotency-Key': idempotencyKey()}}));
    if (!created) {
      return;
    }
    if (startNow.checked) {
      const started = await attempt(toastError, () => ctx.api.command('POST',
        envPath(ctx.env, '/plans/' + enc(body.key) + '/start'), {reason: 'started from the console'},
        {headers: {'Idempotency-Key': idempotencyKey()}}));
      if (started) {
        toastInfo(`plan ${body.key} started`);
      }
    } else {
      toastInfo(`plan ${body.key} drafted`);
    }
    ctx.navigate(`#/${enc(ctx.env)}/plans/${enc(body.key)}`);
  };
  return el('form', {class: 'card form', 'data-testid': 'plan-form', onsubmit: e => {
    e.preventDefault();
    submit();
  }},
  el('h2', null, 'New rollout plan'),
  field('key', key), field('flags', flags), field('preset', preset),
  field('internal users (seed-001)', internalUsers), field('variant rolled out', variant),
  field('a go at each step (seed-002-percent)', manual),
  field('hold seconds for every step', hold, 'left empty: the preset\'s hold times (days)'),
  field('rollback action', rollback),
  el('fieldset', null, el('legend', null, 'guardrail (threshold, optional)'),
    field('name', gName), field('event', gEvent), field('per event', gPer), field('limit (0–1)', gLimit)),
  field('start now', startNow),
  el('div', {class: 'actions'}, el('button', {type: 'submit', class: 'primary', 'data-testid': 'plan-create'}, 'Create')));
}

function renderOne(root, key, ctx) {
  const path = envPath(ctx.env, '/plans/' + enc(key));
  const summary = el('div', {class: 'card', 'data-testid': 'plan-summary'}, 'loading…');
  const actions = el('div', {class: 'actions', 'data-testid': 'plan-actions'});
  const steps = el('div', {class: 'card', 'data-testid': 'plan-steps'});
  const guardrails = el('div', {class: 'card', 'data-testid': 'plan-guardrails'});
  const events = el('ol', {class: 'event-list', 'data-testid': 'plan-events'});
  fill(root, el('section', {class: 'screen', 'data-testid': 'plan-screen'},
    el('a', {href: `#/${enc(ctx.env)}/plans`, class: 'back'}, '← rollout plans'),
    el('div', {class: 'screen-head'}, el('h1', null, 'Rollout plan ', key)),
    summary, actions, el('h2', null, 'Steps'), steps, el('h2', null, 'Guardrails'), guardrails,
    el('h2', null, 'What happened (live)'), events));
  let plan = null;
  let etag = null;
  let seen = new Set();

  const load = async () => {
    const answer = await ctx.api.commandResponse('GET', path);
    plan = answer.body;
    etag = answer.headers?.get ? answer.headers.get('ETag') : (answer.headers?.etag ?? answer.headers?.ETag);
    renderSummary();
    renderSteps();
    renderActions();
    await loadGuardrails();
  };

  const renderSummary = () => {
    const p = plan;
    fill(summary, el('dl', {class: 'facts'},
      el('dt', null, 'status'), el('dd', null, el('span', {class: 'badge status-' + p.status.toLowerCase(),
        'data-testid': 'plan-status'}, p.status),
      p.awaitingApproval ? el('span', {class: 'badge attention', 'data-testid': 'plan-awaiting'}, 'waiting for a go') : null),
      el('dt', null, 'why'), el('dd', {'data-testid': 'plan-status-reason'}, p.statusReason || '—'),
      el('dt', null, 'flags'), el('dd', null, p.definition.flagKeys.map((f, i) => [i ? ', ' : '',
        el('a', {href: `#/${enc(ctx.env)}/flags/${enc(f)}`}, f)])),
      el('dt', null, 'preset'), el('dd', null, p.definition.preset || '—'),
      el('dt', null, 'current step'), el('dd', {'data-testid': 'plan-current-step'}, p.currentStep < 0 ? 'not started'
        : `${p.currentStepName} (${p.currentStep + 1} of ${p.definition.steps.length}), since ${fmtTime(p.stepStartedAt)}`),
      el('dt', null, 'rollback action'), el('dd', null, p.definition.rollbackAction),
      el('dt', null, 'author'), el('dd', null, p.author?.id || '—'),
      el('dt', null, 'version'), el('dd', null, String(p.version))));
  };

  const renderSteps = () => {
    const p = plan;
    const over = !ACTIVE.has(p.status) && p.status !== 'DRAFT';
    fill(steps, el('ol', {class: 'steps'}, p.definition.steps.map((s, i) => {
      let state = 'pending';
      if (p.status === 'COMPLETED' || i < p.currentStep) {
        state = 'done';
      } else if (i === p.currentStep) {
        state = over ? p.status.toLowerCase() : (p.awaitingApproval ? 'awaiting-go' : 'current');
      }
      const gates = [];
      gates.push(s.holdSeconds ? `hold ${holdText(s.holdSeconds)}` : 'no hold');
      if (s.minimumSample) {
        gates.push(`≥ ${s.minimumSample} exposed users`);
      }
      if (s.manualApproval) {
        gates.push(i === p.currentStep && p.stepApproved ? 'a person\'s go (given)' : 'a person\'s go');
      }
      if (p.definition.guardrails?.length) {
        gates.push(`${p.definition.guardrails.length} guardrail(s) healthy`);
      }
      let holdLeft = null;
      if (i === p.currentStep && p.stepStartedAt && ACTIVE.has(p.status) && s.holdSeconds) {
        const left = new Date(p.stepStartedAt).getTime() + s.holdSeconds * 1000 - Date.now();
        holdLeft = left > 0 ? ` — held for ${holdText(Math.ceil(left / 1000))} more` : ' — hold over';
      }
      return el('li', {class: 'step step-' + state, 'data-testid': `plan-step-${i}`, 'data-state': state},
        el('strong', null, s.name), ' ', el('span', {class: 'badge', 'data-testid': `plan-step-state-${i}`}, state),
        el('div', {class: 'muted'}, 'gates: ', gates.join(' · '), holdLeft),
        el('div', {class: 'muted'}, s.commands.map(c => describeCommand(c)).join('; ')));
    })));
  };

  const renderActions = () => {
    const p = plan;
    const current = p.definition.steps[p.currentStep];
    fill(actions,
      p.status === 'DRAFT' ? el('button', {class: 'primary', 'data-testid': 'plan-start', onclick: () =>
        act('start', `Start ${key}?`, `Its first step (${p.definition.steps[0].name}) is applied now.`)}, 'Start') : null,
      ACTIVE.has(p.status) && current?.manualApproval ? [
        el('button', {class: 'primary', 'data-testid': 'plan-go', onclick: () =>
          act('approve', `Go for step ${current.name}?`, 'The plan moves on once the step\'s other gates pass.',
            {step: p.currentStep, approved: true})}, 'Go'),
        el('button', {'data-testid': 'plan-no-go', onclick: () =>
          act('approve', `No-go for step ${current.name}?`, 'The plan stays on this step until a go, a rollback or a cancel.',
            {step: p.currentStep, approved: false})}, 'No-go')] : null,
      p.status === 'RUNNING' ? el('button', {'data-testid': 'plan-pause', onclick: () =>
        act('pause', `Pause ${key}?`, 'It holds where it is.')}, 'Pause') : null,
      p.status === 'PAUSED' ? el('button', {'data-testid': 'plan-resume', onclick: () =>
        act('resume', `Resume ${key}?`, 'The release controller goes on with it.')}, 'Resume') : null,
      ACTIVE.has(p.status) ? el('button', {class: 'danger', 'data-testid': 'plan-rollback', onclick: () =>
        act('rollback', `Roll ${key} back?`, `Its flags are put back (${p.definition.rollbackAction}). This is final.`,
          {}, true)}, 'Roll back') : null,
      ACTIVE.has(p.status) || p.status === 'DRAFT' ? el('button', {'data-testid': 'plan-cancel', onclick: () =>
        act('cancel', `Cancel ${key}?`, 'Its flags stay as they are and are no longer under it. This is final.')}, 'Cancel plan') : null);
  };

  const act = async (verb, title, body, extra = {}, why = false) => {
    const answer = await confirmDialog({title, body, confirmLabel: verb, withReason: true});
    if (!answer?.confirmed) {
      return;
    }
    const payload = {...extra};
    if (answer.reason) {
      payload.reason = answer.reason;
      if (why) {
        payload.why = answer.reason;
      }
    }
    const headers = {'Idempotency-Key': idempotencyKey()};
    // A go is for the step the person saw, so it carries the version read; pause, roll back and cancel
    // are for the plan whatever step the release controller has just moved it to (as a kill is for a
    // flag), so a stale page must not turn them into a VERSION_CONFLICT.
    if (etag && !UNCONDITIONAL.has(verb)) {
      headers['If-Match'] = etag;
    }
    const done = await attempt(toastError, () => ctx.api.command('POST', path + '/' + verb, payload, {headers}));
    if (done) {
      toastInfo(`${verb}: ${key}`);
      await attempt(toastError, load);
    }
  };

  const loadGuardrails = async () => {
    const defs = plan.definition.guardrails || [];
    if (!defs.length) {
      fill(guardrails, el('p', {class: 'muted', 'data-testid': 'plan-no-guardrails'}, 'This plan has no guardrails.'));
      return;
    }
    let latest = null;
    let series = null;
    try {
      latest = await ctx.api.projection('GET', path);
      series = await ctx.api.projection('GET', path + '/signals?limit=720');
    } catch (err) {
      if (err.status === 404) {
        fill(guardrails, el('p', {class: 'muted'}, 'The projection has not seen this plan yet.'));
        return;
      }
      throw err;
    }
    const signal = latest.guardrailSignal;
    fill(guardrails, defs.map(g => {
      const reading = signal?.readings?.find(r => r.guardrail === g.name);
      const points = (series.signals || []).flatMap(s => (s.readings || []).filter(r => r.guardrail === g.name)
        .map(r => ({at: s.evaluatedAt, value: r.observed, verdict: r.verdict})));
      const rate = g.kind === 'threshold' || g.kind === 'regression';
      return el('div', {class: 'guardrail', 'data-testid': `guardrail-${g.name}`},
        el('h3', null, g.name, ' (', g.kind, ')', ' — on breach: ', g.onBreach || 'rollback'),
        reading ? el('p', {class: 'verdict verdict-' + reading.verdict.toLowerCase(), 'data-testid': `guardrail-verdict-${g.name}`},
          reading.verdict, ': ', reading.summary, ` (sample ${reading.sample}, evaluated ${fmtAgo(signal.evaluatedAt)})`)
          : el('p', {class: 'muted', 'data-testid': `guardrail-verdict-${g.name}`}, 'no reading yet'),
        seriesChart(points, {limit: g.limit, format: rate ? x => pct(x, 1) : x => num(x, 3), testid: `guardrail-chart-${g.name}`}));
    }),
    signal ? el('p', {class: 'muted', 'data-testid': 'plan-exposed'}, 'exposed users this step: ',
      Object.entries(signal.exposedUsers || {}).map(([v, n]) => `${v} ${n}`).join(', ') || 'none') : null);
  };

  const addEvent = (data, id) => {
    if (seen.has(id)) {
      return;
    }
    seen.add(id);
    insertNewestFirst(events, el('li', {class: 'event', 'data-testid': 'plan-event', 'data-type': data.type},
      el('span', {class: 'muted'}, fmtTime(data.occurredAt)), ' ', el('strong', null, data.type), ' ',
      data.summary || `${data.kind} ${data.key} v${data.version}`, ' — ', data.actor?.id || '',
      data.reason ? ` (${data.reason})` : ''), data.occurredAt);
    while (events.children.length > 200) {
      events.lastChild.remove();
    }
  };

  let closeStream = null;
  let pending = null;
  const refreshSoon = () => {
    clearTimeout(pending);
    pending = setTimeout(() => attempt(toastError, load), 150);
  };
  let disposed = false;
  // the plan's own events (kind plan, key the plan) and its flags' events, replayed from the plan's creation
  const openStream = () => {
    const since = plan?.createdAt || new Date(Date.now() - 3600 * 1000).toISOString();
    closeStream = ctx.api.stream('projection',
      `/api/v1/events/stream?environment=${enc(ctx.env)}&since=${enc(since)}`, (type, data, id) => {
        if (type !== 'change' || !data) {
          return;
        }
        const mine = (data.kind === 'plan' && data.key === key)
          || (plan && data.kind === 'flag' && plan.definition.flagKeys.includes(data.key));
        if (mine) {
          addEvent(data, id || data.eventId);
          refreshSoon();
        }
      }, err => toastError(err));
  };
  attempt(toastError, load).then(() => {
    if (!disposed) {
      openStream();
    }
  });
  let failing = false;
  const stopPolling = every(5000, async () => {
    try {
      await load();
      failing = false;
    } catch (err) {
      if (!failing) {
        toastError(err);
      }
      failing = true;
    }
  });
  return () => {
    disposed = true;
    stopPolling();
    clearTimeout(pending);
    if (typeof closeStream === 'function') {
      closeStream();
    }
  };
}

function holdText(seconds) {
  if (seconds >= 86400 && seconds % 3600 === 0) {
    return `${num(seconds / 86400, 1)} d`;
  }
  if (seconds >= 3600) {
    return `${num(seconds / 3600, 1)} h`;
  }
  if (seconds >= 60) {
    return `${num(seconds / 60, 1)} min`;
  }
  return `${seconds} s`;
}

export function describeCommand(c) {
  const target = c.flag || c.segment || c.experiment || c.plan || c.key || c.tag || '';
  switch (c.action) {
  case 'setRollout':
    return `${target}: ${c.variant ?? ''} ${c.percentage ?? ''} %${c.ruleId ? ' of rule ' + c.ruleId : ''}`;
  case 'allowList':
  case 'denyList':
    return `${c.action} ${target}${c.variant ? ' → ' + c.variant : ''}: +${(c.add || []).length} −${(c.remove || []).length}`;
  case 'replaceRules':
    return `${target}: rules ${(c.rules || []).map(r => r.id || r.description).join(', ') || '(none)'}`;
  default:
    return `${c.action} ${target}`;
  }
}
