// Change requests (four eyes): the inbox (pending first, "waiting for me"), the diff of what a request
// would change against each flag as it is now, approve / reject / comment, apply now or schedule.
// The API decides who may approve: its refusal (APPROVAL_NOT_ALLOWED, with its sentence) is shown as is.
import {toastError, toastInfo, confirmDialog} from '../ui.js';
import {ApiError} from '../api.js';
import {el, fill, field, grid, envPath, enc, fmtTime, attempt, idempotencyKey} from './common.js';

const PENDING = ['IN_REVIEW', 'APPROVED', 'SCHEDULED', 'DRAFT'];
const ORDER = {IN_REVIEW: 0, APPROVED: 1, SCHEDULED: 2, DRAFT: 3, APPLIED: 4, REJECTED: 5, CANCELLED: 6};
/** What a lifecycle command sets on the flag, for the diff. */
const SWITCHES = {
  enable: {enabled: true}, disable: {enabled: false}, kill: {killed: true}, revive: {killed: false},
  archive: {archived: true}, restore: {archived: false},
};
const NOT_FIELDS = new Set(['action', 'environment', 'flag', 'segment', 'experiment', 'plan', 'expectedVersion', 'reason']);

export default {
  id: 'change-requests',
  title: 'Change requests',
  nav: true,
  routes: ['change-requests', 'change-requests/:id'],
  render(root, params, ctx) {
    return params.id ? renderOne(root, params.id, ctx) : renderInbox(root, ctx);
  },
};

/** Who is signed in: the principal the shell stored at sign-in (GET /api/v1/whoami), asked again only if missing. */
export async function me(ctx) {
  if (ctx.session?.principal?.id) {
    return ctx.session.principal.id;
  }
  try {
    return (await ctx.session.refresh())?.id ?? null;
  } catch (err) {
    toastError(err);
    return null;
  }
}

function waitingFor(cr, who) {
  return cr.status === 'IN_REVIEW' && who && cr.author?.id !== who && !(cr.approvals || []).some(a => a.approver === who);
}

async function renderInbox(root, ctx) {
  const who = await me(ctx);
  const onlyMine = el('input', {type: 'checkbox', 'data-testid': 'cr-waiting-filter'});
  const showAll = el('input', {type: 'checkbox', 'data-testid': 'cr-show-closed'});
  const listBox = el('div', {'data-testid': 'cr-list'}, 'loading…');
  const formBox = el('div');
  const schedulesBox = el('div', {'data-testid': 'schedules-list'}, 'loading…');
  let all = [];
  const draw = () => {
    let rows = [...all];
    if (!showAll.checked) {
      rows = rows.filter(cr => PENDING.includes(cr.status));
    }
    if (onlyMine.checked) {
      rows = rows.filter(cr => waitingFor(cr, who));
    }
    rows.sort((a, b) => (waitingFor(b, who) - waitingFor(a, who)) || (ORDER[a.status] ?? 9) - (ORDER[b.status] ?? 9)
      || String(b.createdAt).localeCompare(String(a.createdAt)));
    fill(listBox, rows.length === 0 ? el('p', {class: 'empty', 'data-testid': 'cr-empty'}, 'Nothing here.') : grid([
      {title: 'request', cell: cr => el('a', {href: `#/${enc(ctx.env)}/change-requests/${enc(cr.id)}`,
        'data-testid': `cr-link-${cr.id}`}, cr.title)},
      {title: 'status', cell: cr => el('span', {class: 'badge status-' + cr.status.toLowerCase(),
        'data-testid': `cr-status-${cr.id}`}, cr.status)},
      {title: '', cell: cr => waitingFor(cr, who) ? el('span', {class: 'badge attention', 'data-testid': `cr-waiting-${cr.id}`},
        'waiting for me') : ''},
      {title: 'author', cell: cr => cr.author?.id || '—'},
      {title: 'approvals', cell: cr => (cr.approvals || []).map(a => a.approver).join(', ') || '—'},
      {title: 'changes', cell: cr => `${cr.commands.length} command(s) on ${touched(cr).join(', ')}`},
      {title: 'opened', cell: cr => fmtTime(cr.createdAt)},
    ], rows, cr => ({'data-testid': `cr-row-${cr.id}`, 'data-status': cr.status})));
  };
  onlyMine.addEventListener('change', draw);
  showAll.addEventListener('change', draw);
  fill(root, el('section', {class: 'screen', 'data-testid': 'cr-screen'},
    el('div', {class: 'screen-head'}, el('h1', null, 'Change requests — ', ctx.env),
      el('button', {class: 'primary', 'data-testid': 'cr-new', onclick: () => fill(formBox, proposeForm(ctx))}, 'Propose a change')),
    el('div', {class: 'filters'}, el('label', null, onlyMine, ' waiting for me', who ? ` (${who})` : ''),
      el('label', null, showAll, ' show applied, rejected and cancelled')),
    formBox, listBox,
    el('h2', null, 'Scheduled changes (pending)'), schedulesBox));
  loadSchedules(ctx, schedulesBox);
  (async () => {
    const answer = await attempt(toastError, () => ctx.api.command('GET', envPath(ctx.env, '/change-requests')));
    if (!answer) {
      fill(listBox, 'could not read the change requests');
      return;
    }
    all = answer.changeRequests;
    draw();
  })();
}

/** The environment's pending scheduled changes (GET …/schedules?status=PENDING), each cancellable. */
async function loadSchedules(ctx, box) {
  const answer = await attempt(toastError, () => ctx.api.command('GET', envPath(ctx.env, '/schedules?status=PENDING')));
  if (!answer) {
    fill(box, 'could not read the scheduled changes');
    return;
  }
  fill(box, answer.schedules.length === 0 ? el('p', {class: 'empty'}, 'Nothing scheduled.') : grid([
    {title: 'applies at', cell: sc => fmtTime(sc.applyAt)},
    {title: 'title', cell: sc => sc.title},
    {title: 'author', cell: sc => sc.author?.id || '—'},
    {title: 'changes', cell: sc => `${sc.commands.length} command(s) on ${touched(sc).join(', ')}`},
    {title: '', cell: sc => el('button', {class: 'small', 'data-testid': `schedule-cancel-${sc.id}`, onclick: async () => {
      const a = await confirmDialog({title: 'Cancel this scheduled change?', body: sc.title, confirmLabel: 'cancel it',
        withReason: true});
      if (a?.confirmed && await attempt(toastError, () => ctx.api.command('POST',
        envPath(ctx.env, '/schedules/' + enc(sc.id) + '/cancel'), a.reason ? {reason: a.reason} : {},
        {headers: {'Idempotency-Key': idempotencyKey()}}))) {
        toastInfo('scheduled change cancelled');
        loadSchedules(ctx, box);
      }
    }}, 'Cancel')},
  ], answer.schedules, sc => ({'data-testid': `schedule-row-${sc.id}`})));
}

function touched(cr) {
  return [...new Set(cr.commands.map(c => c.flag || (c.segment && 'segment ' + c.segment) || c.experiment || c.plan || c.key
    || c.tag || c.action))];
}

/** Proposing is opening a change request: a title, a reason and change-set commands (JSON). */
function proposeForm(ctx) {
  const title = el('input', {'data-testid': 'cr-title', placeholder: 'Turn on the new checkout for beta users'});
  const reason = el('input', {'data-testid': 'cr-reason', placeholder: 'why'});
  const commands = el('textarea', {'data-testid': 'cr-commands', rows: 6,
    value: '[{"action":"enable","flag":"checkout.new_ui"}]'});
  const submitNow = el('input', {type: 'checkbox', 'data-testid': 'cr-submit-now', checked: true});
  const send = async () => {
    let parsed;
    try {
      parsed = JSON.parse(commands.value);
    } catch (e) {
      toastError(new ApiError(0, 'INVALID_JSON', 'commands: ' + e.message));
      return;
    }
    const created = await attempt(toastError, () => ctx.api.command('POST', envPath(ctx.env, '/change-requests'),
      {title: title.value, reason: reason.value, commands: Array.isArray(parsed) ? parsed : [parsed], submit: submitNow.checked}));
    if (created) {
      const id = created.changeRequest?.id ?? created.id;
      toastInfo(`change request ${id} opened`);
      ctx.navigate(`#/${enc(ctx.env)}/change-requests/${enc(id)}`);
    }
  };
  return el('form', {class: 'card form', 'data-testid': 'cr-form', onsubmit: e => {
    e.preventDefault();
    send();
  }},
  el('h2', null, 'Propose a change'), field('title', title), field('reason', reason),
  field('commands (change-set JSON)', commands, 'e.g. [{"action":"setRollout","flag":"k","variant":"on","percentage":25}]'),
  field('submit for review now', submitNow),
  el('div', {class: 'actions'}, el('button', {type: 'submit', class: 'primary', 'data-testid': 'cr-open'}, 'Open change request')));
}

function renderOne(root, id, ctx) {
  const path = envPath(ctx.env, '/change-requests/' + enc(id));
  const summary = el('div', {class: 'card', 'data-testid': 'cr-summary'}, 'loading…');
  const actions = el('div', {class: 'actions', 'data-testid': 'cr-actions'});
  const diff = el('div', {class: 'card', 'data-testid': 'cr-diff'});
  const review = el('div', {class: 'card', 'data-testid': 'cr-review'});
  fill(root, el('section', {class: 'screen', 'data-testid': 'cr-detail'},
    el('a', {href: `#/${enc(ctx.env)}/change-requests`, class: 'back', 'data-testid': 'cr-back'}, '← change requests'),
    summary, actions, el('h2', null, 'What it would change'), diff, el('h2', null, 'Review'), review));
  let cr = null;
  let etag = null;

  const load = async () => {
    const answer = await ctx.api.commandResponse('GET', path);
    cr = answer.body;
    etag = answer.headers?.get ? answer.headers.get('ETag') : (answer.headers?.etag ?? answer.headers?.ETag);
    const who = await me(ctx);
    fill(summary, el('h1', null, cr.title),
      el('dl', {class: 'facts'},
        el('dt', null, 'status'), el('dd', null, el('span', {class: 'badge status-' + cr.status.toLowerCase(),
          'data-testid': 'cr-status'}, cr.status),
        waitingFor(cr, who) ? el('span', {class: 'badge attention', 'data-testid': 'cr-waiting'}, 'waiting for me') : null),
        el('dt', null, 'author'), el('dd', {'data-testid': 'cr-author'}, cr.author?.id || '—'),
        el('dt', null, 'reason'), el('dd', null, cr.reason || '—'),
        el('dt', null, 'opened'), el('dd', null, fmtTime(cr.createdAt)),
        cr.applyAt ? [el('dt', null, 'applies at'), el('dd', {'data-testid': 'cr-apply-at'}, fmtTime(cr.applyAt))] : null,
        cr.appliedChangeSetId ? [el('dt', null, 'applied in'), el('dd', {'data-testid': 'cr-applied'}, cr.appliedChangeSetId)] : null,
        el('dt', null, 'approvals'), el('dd', {'data-testid': 'cr-approvals'}, (cr.approvals || []).length
          ? cr.approvals.map(a => `${a.approver} (${fmtTime(a.at)})`).join(', ') : 'none yet')));
    renderActions();
    renderReview();
    await renderDiff();
  };

  const step = async (name, body) => {
    const headers = {'Idempotency-Key': idempotencyKey()};
    if (etag) {
      headers['If-Match'] = etag;
    }
    const done = await attempt(toastError, () => ctx.api.command('POST', path + '/' + name, body || {}, {headers}));
    if (done !== undefined) {
      toastInfo(`${name}: change request ${id}`);
      await attempt(toastError, load);
    }
  };

  const renderActions = () => {
    const s = cr.status;
    const applyAt = el('input', {type: 'datetime-local', 'data-testid': 'cr-schedule-at'});
    fill(actions,
      s === 'DRAFT' ? el('button', {'data-testid': 'cr-submit', onclick: () => step('submit')}, 'Submit for review') : null,
      s === 'IN_REVIEW' || s === 'APPROVED' ? [
        el('button', {class: 'primary', 'data-testid': 'cr-approve', onclick: () => step('approve')}, 'Approve'),
        el('button', {class: 'danger', 'data-testid': 'cr-reject', onclick: async () => {
          const a = await confirmDialog({title: 'Reject this change request?', body: cr.title, confirmLabel: 'reject',
            withReason: true});
          if (a?.confirmed) {
            await step('reject', a.reason ? {comment: a.reason} : {});
          }
        }}, 'Reject')] : null,
      s === 'APPROVED' ? [
        el('button', {class: 'primary', 'data-testid': 'cr-apply', onclick: async () => {
          const a = await confirmDialog({title: 'Apply it now?', body: `${cr.commands.length} command(s) written in one transaction.`,
            confirmLabel: 'apply'});
          if (a?.confirmed) {
            await step('apply');
          }
        }}, 'Apply now'),
        el('span', {class: 'inline'}, applyAt,
          el('button', {'data-testid': 'cr-schedule', onclick: () => {
            if (!applyAt.value) {
              toastError(new ApiError(0, 'INVALID_FIELD', 'applyAt: pick the instant to apply it at'));
              return;
            }
            step('schedule', {applyAt: new Date(applyAt.value).toISOString()});
          }}, 'Schedule'))] : null,
      PENDING.includes(s) ? el('button', {'data-testid': 'cr-cancel', onclick: async () => {
        const a = await confirmDialog({title: 'Cancel this change request?', body: cr.title, confirmLabel: 'cancel request'});
        if (a?.confirmed) {
          await step('cancel');
        }
      }}, 'Cancel request') : null);
  };

  const renderReview = () => {
    const text = el('textarea', {rows: 2, 'data-testid': 'cr-comment-text', placeholder: 'a comment for the author and reviewers'});
    fill(review,
      el('ol', {class: 'comments', 'data-testid': 'cr-comments'}, (cr.comments || []).map(c =>
        el('li', {'data-testid': 'cr-comment'}, el('strong', null, c.author), ' ', el('span', {class: 'muted'}, fmtTime(c.at)), ': ',
          c.text)),
      (cr.approvals || []).filter(a => a.comment).map(a =>
        el('li', null, el('strong', null, a.approver), ' approved: ', a.comment))),
      el('div', {class: 'actions'}, text, el('button', {'data-testid': 'cr-comment-send', onclick: () => {
        if (!text.value.trim()) {
          toastError(new ApiError(0, 'INVALID_FIELD', 'comment: write something first'));
          return;
        }
        step('comment', {comment: text.value.trim()});
      }}, 'Comment')));
  };

  const renderDiff = async () => {
    const flags = {};
    for (const key of new Set(cr.commands.map(c => c.flag).filter(Boolean))) {
      try {
        flags[key] = await ctx.api.command('GET', envPath(ctx.env, '/flags/' + enc(key)));
      } catch (err) {
        flags[key] = err.status === 404 ? null : undefined;
      }
    }
    fill(diff, cr.commands.map((c, i) => {
      const flag = c.flag ? flags[c.flag] : undefined;
      const drafted = cr.draftedAgainst?.[c.flag || (c.segment ? 'segment:' + c.segment : '')];
      const rows = diffRows(c, flag);
      return el('div', {class: 'diff-command', 'data-testid': `cr-command-${i}`},
        el('h3', null, c.action, ' ', c.flag || c.segment || c.experiment || c.plan || c.key || c.tag || ''),
        drafted !== undefined && flag ? el('p', {class: drafted === flag.version ? 'muted' : 'notice danger',
          'data-testid': `cr-moved-${i}`}, drafted === flag.version ? `drafted against v${drafted}, still current`
          : `drafted against v${drafted}; the flag is at v${flag.version} now — apply will ask for a rebase`) : null,
        rows.length ? el('table', {class: 'grid diff'},
          el('thead', null, el('tr', null, el('th', null, 'field'), el('th', null, 'now'), el('th', null, 'after'))),
          el('tbody', null, rows.map(r => el('tr', {class: r.changed ? 'changed' : '', 'data-testid': `cr-diff-${i}-${r.name}`},
            el('td', null, r.name), el('td', {class: 'before'}, r.before), el('td', {class: 'after'}, r.after)))))
          : el('p', {class: 'muted'}, 'no fields'));
    }));
  };

  attempt(toastError, load);
}

function show(v) {
  if (v === undefined) {
    return '—';
  }
  return typeof v === 'string' ? v : JSON.stringify(v);
}

/** Field by field: what the command sets, against the flag as the command API holds it now. */
function diffRows(c, flag) {
  const sets = {...(SWITCHES[c.action] || {})};
  for (const [k, v] of Object.entries(c)) {
    if (!NOT_FIELDS.has(k)) {
      sets[k] = v;
    }
  }
  if (c.action === 'setRollout' && flag) {
    const rule = c.ruleId ? (flag.rules || []).find(r => r.id === c.ruleId) : null;
    const serve = c.ruleId ? rule?.serve : flag.fallthrough;
    return [{name: c.ruleId ? `rule ${c.ruleId} serves` : 'fallthrough', before: show(serve),
      after: c.split ? show(c.split) : `${c.variant ?? ''} ${c.percentage ?? ''} %`, changed: true}];
  }
  return Object.entries(sets).map(([name, after]) => {
    const before = flag && name in flag ? flag[name] : undefined;
    return {name, before: flag === null ? '(no such flag)' : show(before), after: show(after),
      changed: JSON.stringify(before) !== JSON.stringify(after)};
  });
}
