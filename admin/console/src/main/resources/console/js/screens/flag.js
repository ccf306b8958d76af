// One flag: lifecycle buttons, variants, rollout slider, rules editor (segments picker), allow /
// deny lists, the same key in every environment side by side, and after every change "live on N
// of M nodes" as it happens. Every write sends If-Match with the version read; a 409 shows the
// API's sentence.
import { h, mount, toastError, toastInfo, confirmDialog, liveOnNodes, table, when } from '../ui.js';
import { seg } from '../api.js';

export const OPERATORS = ['in', 'not_in', 'eq', 'neq', 'starts_with', 'ends_with', 'contains', 'matches', 'lt', 'lte', 'gt', 'gte',
  'semver_eq', 'semver_lt', 'semver_lte', 'semver_gt', 'semver_gte', 'before', 'after', 'in_segment'];
const NUMERIC = new Set(['lt', 'lte', 'gt', 'gte']);

function stateOf(flag) {
  if (flag.archived) return 'archived';
  if (flag.killed) return 'killed';
  return flag.enabled ? 'on' : 'off';
}

/** The variant a rollout percentage is about: a boolean flag's true variant, else the first. */
function rolloutVariant(flag) {
  const on = (flag.variants || []).find((v) => v.value === true);
  return on ? on.key : (flag.variants[0] || {}).key;
}

function percentOf(serve, variant) {
  if (!serve) return 0;
  if (serve.variant) return serve.variant === variant ? 100 : 0;
  const part = (serve.split || []).find((p) => p.variant === variant);
  return part ? part.weight : 0;
}

function describeServe(serve) {
  if (!serve) return '';
  if (serve.variant) return `serve ${serve.variant}`;
  if (serve.split) return 'split ' + serve.split.map((p) => `${p.variant} ${p.weight}%`).join(' / ');
  return '';
}

function parseValue(text, operator) {
  if (NUMERIC.has(operator) && text !== '' && !isNaN(Number(text))) return Number(text);
  if (text === 'true') return true;
  if (text === 'false') return false;
  return text;
}

export default {
  id: 'flag',
  title: 'Flag',
  nav: false,
  routes: ['flags/:key'],
  async render(root, params, ctx) {
    const path = `/api/v1/environments/${seg(ctx.env)}/flags/${seg(params.key)}`;
    let flag = null;
    let etag = null;
    let segments = [];
    let closePropagation = () => {};
    const propagation = h('div', { class: 'propagation' });
    const conflict = h('div', { class: 'conflict hidden', role: 'alert', 'data-testid': 'conflict' });
    const body = h('div', {});

    mount(root,
      h('div', { class: 'row' },
        h('a', { href: `#/${seg(ctx.env)}/flags`, 'data-testid': 'back-to-flags' }, '← flags'),
        h('span', { class: 'spacer' }),
        h('a', { href: `#/${seg(ctx.env)}/flags/${seg(params.key)}/history`, 'data-testid': 'flag-history-link' }, 'History and time travel →')),
      h('h1', { 'data-testid': 'flag-key' }, params.key),
      conflict, propagation, body);

    const follow = (version) => {
      closePropagation();
      propagation.replaceChildren();
      const line = h('span', {});
      propagation.appendChild(line);
      closePropagation = liveOnNodes(ctx.env, params.key, version, line);
    };

    /**
     * Sends one write with If-Match (the version shown); on success re-renders with the flag it
     * returns and follows its propagation. A kill or revive goes without: the emergency stop must not
     * be refused because someone changed the flag since the page was read, and it means the same at
     * any version.
     */
    const write = async (method, suffix, payload, label, { ifMatch = true } = {}) => {
      try {
        const answer = await ctx.api.command(method, path + suffix, payload, ifMatch ? { headers: { 'If-Match': etag } } : undefined);
        flag = answer.flag;
        etag = `"${flag.version}"`;
        render();
        follow(answer.version);
        toastInfo(`${label}: v${answer.version}`);
        return answer;
      } catch (err) {
        toastError(err);
        if (err.code === 'VERSION_CONFLICT') showConflict();
        return null;
      }
    };

    /** After a VERSION_CONFLICT: say so in the page and offer to read the flag again (no browser reload). */
    const showConflict = () => {
      mount(conflict,
        h('span', { 'data-testid': 'conflict-text' }, `${params.key} changed since this page read it (it shows v${flag.version}). `
          + 'Reload it, check the change, then make yours again.'),
        h('button', { class: 'primary small', 'data-testid': 'conflict-reload', onclick: async () => {
          if (await load()) toastInfo(`reloaded: v${flag.version}`);
        } }, 'Reload the flag'));
      conflict.classList.remove('hidden');
    };

    const lifecycle = async (action, { danger = false, requireText = null } = {}) => {
      const { confirmed, reason } = await confirmDialog({
        title: `${action[0].toUpperCase() + action.slice(1)} ${flag.key} in ${ctx.env}?`,
        confirmLabel: action, withReason: true, danger, requireText,
      });
      if (!confirmed) return;
      await write('POST', `/${action}`, reason ? { reason } : {}, action, { ifMatch: action !== 'kill' && action !== 'revive' });
    };

    // ------------------------------------------------------------------ panels

    const header = () => {
      const state = stateOf(flag);
      const buttons = [];
      if (!flag.archived) {
        buttons.push(flag.enabled
          ? h('button', { 'data-testid': 'flag-disable', onclick: () => lifecycle('disable') }, 'Disable')
          : h('button', { 'data-testid': 'flag-enable', onclick: () => lifecycle('enable') }, 'Enable'));
        buttons.push(flag.killed
          ? h('button', { 'data-testid': 'flag-revive', onclick: () => lifecycle('revive') }, 'Revive')
          : h('button', { class: 'danger', 'data-testid': 'flag-kill', onclick: () => lifecycle('kill', { danger: true }) }, 'Kill'));
        buttons.push(h('button', { 'data-testid': 'flag-archive', onclick: () => lifecycle('archive', { danger: true, requireText: flag.key }) }, 'Archive'));
      } else {
        buttons.push(h('button', { 'data-testid': 'flag-restore', onclick: () => lifecycle('restore') }, 'Restore'));
      }
      return h('div', { class: 'panel' },
        h('div', { class: 'row' },
          h('span', { class: `badge ${state}`, 'data-testid': 'flag-state' }, state),
          h('span', { 'data-testid': 'flag-version' }, `v${flag.version}`),
          h('span', { class: 'muted' }, `${flag.type} · ${flag.kind}${flag.owner ? ' · owner ' + flag.owner : ''}`),
          (flag.tags || []).map((t) => h('span', { class: 'badge' }, t)),
          h('span', { class: 'spacer' }), buttons),
        flag.description ? h('p', { 'data-testid': 'flag-description' }, flag.description) : null,
        h('p', { class: 'muted' }, `last change ${flag.lastChange.type} by ${flag.lastChange.actor.id} at ${when(flag.lastChange.at)}`
          + (flag.lastChange.reason ? ` — “${flag.lastChange.reason}”` : '')));
    };

    const variantsPanel = () => h('div', { class: 'panel' }, h('h2', {}, 'Variants'),
      table([
        { title: 'Key', render: (v) => h('code', {}, v.key) },
        { title: 'Value', render: (v) => h('code', {}, JSON.stringify(v.value)) },
        { title: '', render: (v) => (v.key === flag.offVariant ? h('span', { class: 'badge' }, 'off variant') : '') },
      ], flag.variants, { testid: 'variants', rowTestid: 'variant-row', key: (v) => v.key }));

    /**
     * The rollout slider, on the fallthrough (everyone no rule matches) or on one rule: PATCH …/rollout
     * with ruleId makes that rule serve the split instead of its single variant.
     */
    let rolloutTarget = '';
    const rolloutPanel = () => {
      if (rolloutTarget && !(flag.rules || []).some((r) => r.id === rolloutTarget)) rolloutTarget = '';
      const serveOf = (target) => (target ? ((flag.rules || []).find((r) => r.id === target) || {}).serve : flag.fallthrough);
      const target = h('select', { 'data-testid': 'rollout-target', 'aria-label': 'roll out on' },
        h('option', { value: '', selected: rolloutTarget === '' }, 'fallthrough (everyone no rule matches)'),
        (flag.rules || []).map((r, i) => h('option', { value: r.id, selected: r.id === rolloutTarget }, `rule ${i + 1}: ${r.id}`)));
      const variant = rolloutVariant(flag);
      const current = percentOf(serveOf(rolloutTarget), variant);
      const slider = h('input', { type: 'range', min: 0, max: 100, step: 1, value: current, 'data-testid': 'rollout-slider', 'aria-label': 'rollout percentage' });
      const shown = h('strong', { 'data-testid': 'rollout-value' }, `${current}%`);
      const choose = h('select', { 'data-testid': 'rollout-variant' }, flag.variants.map((v) => h('option', { value: v.key, selected: v.key === variant }, v.key)));
      const applyButton = h('button', { class: 'primary', 'data-testid': 'rollout-apply', disabled: true }, 'Apply');
      const serving = h('span', { class: 'muted', 'data-testid': 'rollout-serving' }, describeServe(serveOf(rolloutTarget)));
      const sync = () => {
        shown.textContent = `${slider.value}%`;
        applyButton.disabled = Number(slider.value) === percentOf(serveOf(target.value), choose.value);
      };
      slider.addEventListener('input', sync);
      slider.addEventListener('change', sync);
      choose.addEventListener('change', () => {
        slider.value = percentOf(serveOf(target.value), choose.value);
        sync();
      });
      target.addEventListener('change', () => {
        rolloutTarget = target.value;
        slider.value = percentOf(serveOf(target.value), choose.value);
        serving.textContent = describeServe(serveOf(target.value));
        sync();
      });
      applyButton.addEventListener('click', () => {
        const payload = { percentage: Number(slider.value), variant: choose.value };
        if (target.value) payload.ruleId = target.value;
        write('PATCH', '/rollout', payload, `rollout ${slider.value}% ${choose.value}${target.value ? ' on rule ' + target.value : ''}`);
      });
      return h('div', { class: 'panel', 'data-testid': 'rollout' }, h('h2', {}, 'Rollout'),
        h('div', { class: 'row' }, h('span', { class: 'muted' }, 'on'), target),
        h('div', { class: 'slider-row' }, slider, shown, applyButton),
        h('div', { class: 'row' }, h('span', { class: 'muted' }, 'variant'), choose, serving));
    };

    const rulesPanel = () => {
      const draft = JSON.parse(JSON.stringify(flag.rules || []));
      const container = h('div', {});
      const serveEditor = (rule) => {
        const mode = h('select', { 'data-testid': 'rule-serve-mode' },
          h('option', { value: 'variant', selected: !!rule.serve.variant }, 'serve'),
          h('option', { value: 'split', selected: !rule.serve.variant }, 'split'));
        const variant = h('select', { 'data-testid': 'rule-serve-variant' }, flag.variants.map((v) => h('option', { value: v.key, selected: rule.serve.variant === v.key }, v.key)));
        const split = h('input', { type: 'text', 'data-testid': 'rule-serve-split', placeholder: 'on:20, off:80',
          value: (rule.serve.split || []).map((p) => `${p.variant}:${p.weight}`).join(', ') });
        const sync = () => {
          variant.classList.toggle('hidden', mode.value !== 'variant');
          split.classList.toggle('hidden', mode.value !== 'split');
          if (mode.value === 'variant') {
            rule.serve = { variant: variant.value };
          } else {
            rule.serve = { split: split.value.split(',').map((p) => p.trim()).filter(Boolean).map((p) => {
              const [v, w] = p.split(':').map((x) => x.trim());
              return { variant: v, weight: Number(w) };
            }) };
          }
        };
        [mode, variant].forEach((el) => el.addEventListener('change', sync));
        split.addEventListener('input', sync);
        sync();
        return h('div', { class: 'row' }, mode, variant, split);
      };
      const conditionEditor = (rule, condition, index) => {
        const attribute = h('input', { type: 'text', 'data-testid': 'condition-attribute', placeholder: 'attribute, e.g. country', value: condition.attribute || '' });
        const operator = h('select', { 'data-testid': 'condition-operator' }, OPERATORS.map((o) => h('option', { value: o, selected: o === condition.operator }, o)));
        const values = h('input', { type: 'text', 'data-testid': 'condition-values', placeholder: 'values, comma separated',
          value: (condition.values || []).join(', ') });
        const segment = h('select', { 'data-testid': 'condition-segment' },
          h('option', { value: '' }, segments.length ? 'choose a segment' : 'no segments in this environment'),
          segments.map((sg) => h('option', { value: sg.key, selected: (condition.values || [])[0] === sg.key }, sg.key)));
        const sync = () => {
          const isSegment = operator.value === 'in_segment';
          values.classList.toggle('hidden', isSegment);
          segment.classList.toggle('hidden', !isSegment);
          condition.attribute = isSegment ? (attribute.value.trim() || 'targetingKey') : attribute.value.trim();
          condition.operator = operator.value;
          condition.values = isSegment ? (segment.value ? [segment.value] : [])
            : values.value.split(',').map((v) => v.trim()).filter((v) => v !== '').map((v) => parseValue(v, operator.value));
        };
        [attribute, values].forEach((el) => el.addEventListener('input', sync));
        [operator, segment].forEach((el) => el.addEventListener('change', sync));
        sync();
        const remove = h('button', { class: 'small', 'data-testid': 'condition-remove', onclick: () => {
          rule.conditions.splice(index, 1);
          draw();
        } }, '✕');
        return h('div', { class: 'condition', 'data-testid': 'condition' }, attribute, operator, h('div', {}, values, segment), remove);
      };
      const draw = () => {
        mount(container, draft.length ? null : h('p', { class: 'muted', 'data-testid': 'no-rules' }, 'No rules: everyone gets the rollout below.'),
          draft.map((rule, i) => h('div', { class: 'rule', 'data-testid': 'rule', 'data-rule-id': rule.id },
            h('div', { class: 'row' },
              h('strong', {}, `Rule ${i + 1}`),
              h('input', { type: 'text', 'data-testid': 'rule-id', value: rule.id, oninput: (e) => { rule.id = e.target.value.trim(); } }),
              h('span', { class: 'spacer' }),
              h('button', { class: 'small', 'data-testid': 'rule-remove', onclick: () => { draft.splice(i, 1); draw(); } }, 'Remove rule')),
            h('h3', {}, 'If all of'),
            rule.conditions.map((c, j) => conditionEditor(rule, c, j)),
            h('button', { class: 'small', 'data-testid': 'condition-add', onclick: () => {
              rule.conditions.push({ attribute: '', operator: 'in', values: [] });
              draw();
            } }, '+ condition'),
            h('h3', {}, 'Then'), serveEditor(rule))));
      };
      draw();
      const add = h('button', { 'data-testid': 'rule-add', onclick: () => {
        const taken = new Set(draft.map((r) => r.id));
        let n = draft.length + 1;
        while (taken.has(`rule-${n}`)) n++;
        draft.push({ id: `rule-${n}`, conditions: [{ attribute: '', operator: 'in', values: [] }], serve: { variant: flag.variants[0].key } });
        draw();
      } }, '+ rule');
      const save = h('button', { class: 'primary', 'data-testid': 'rules-save', onclick: () =>
        write('PUT', '/rules', { rules: draft }, 'rules saved') }, 'Save rules');
      return h('div', { class: 'panel', 'data-testid': 'rules' }, h('h2', {}, 'Rules (first match wins)'), container, h('div', { class: 'row' }, add, save));
    };

    const listsPanel = () => {
      const chip = (key, onRemove, testid) => h('span', { class: 'chip', 'data-testid': testid, 'data-key': key }, key,
        h('button', { 'data-testid': testid + '-remove', title: 'remove', onclick: onRemove }, '✕'));
      const allowKey = h('input', { type: 'text', 'data-testid': 'allow-key', placeholder: 'user key' });
      const allowVariant = h('select', { 'data-testid': 'allow-variant' }, flag.variants.map((v) => h('option', { value: v.key, selected: v.key === rolloutVariant(flag) }, v.key)));
      const denyKey = h('input', { type: 'text', 'data-testid': 'deny-key', placeholder: 'user key' });
      const allow = (flag.allowList || []).flatMap((t) => t.keys.map((k) => ({ key: k, variant: t.variant })));
      return h('div', { class: 'grid2' },
        h('div', { class: 'panel', 'data-testid': 'allow-list' }, h('h2', {}, 'Allow list (these keys get a variant first)'),
          h('div', {}, allow.length ? allow.map((a) => chip(`${a.key} → ${a.variant}`,
            () => write('POST', '/allow-list', { remove: [a.key], variant: a.variant }, `removed ${a.key}`), 'allow-chip'))
            : h('span', { class: 'muted' }, 'nobody')),
          h('div', { class: 'row' }, allowKey, allowVariant, h('button', { 'data-testid': 'allow-add', onclick: () => {
            if (allowKey.value.trim()) write('POST', '/allow-list', { add: [allowKey.value.trim()], variant: allowVariant.value }, `allowed ${allowKey.value.trim()}`);
          } }, 'Add'))),
        h('div', { class: 'panel', 'data-testid': 'deny-list' }, h('h2', {}, 'Deny list (these keys get the off variant)'),
          h('div', {}, (flag.denyList || []).length ? flag.denyList.map((k) => chip(k,
            () => write('POST', '/deny-list', { remove: [k] }, `removed ${k}`), 'deny-chip')) : h('span', { class: 'muted' }, 'nobody')),
          h('div', { class: 'row' }, denyKey, h('button', { 'data-testid': 'deny-add', onclick: () => {
            if (denyKey.value.trim()) write('POST', '/deny-list', { add: [denyKey.value.trim()] }, `denied ${denyKey.value.trim()}`);
          } }, 'Add'))));
    };

    const environmentsPanel = () => {
      const holder = h('div', { class: 'panel', 'data-testid': 'environments' }, h('h2', {}, 'In every environment'), h('p', { class: 'muted' }, 'loading…'));
      Promise.all(ctx.environments.map((env) => ctx.api.command('GET', `/api/v1/environments/${seg(env)}/flags/${seg(params.key)}`)
        .then((f) => ({ env, flag: f }), (err) => ({ env, error: err })))).then((rows) => {
        mount(holder, h('h2', {}, 'In every environment'), table([
          { title: 'Environment', render: (r) => (r.env === ctx.env ? h('strong', {}, r.env) : h('a', { href: `#/${seg(r.env)}/flags/${seg(params.key)}` }, r.env)) },
          { title: 'State', testid: 'env-state', render: (r) => (r.flag ? h('span', { class: `badge ${stateOf(r.flag)}` }, stateOf(r.flag))
            : h('span', { class: 'muted' }, r.error.code === 'FLAG_NOT_FOUND' ? 'not in this environment' : `${r.error.code}`)) },
          { title: 'Version', render: (r) => (r.flag ? `v${r.flag.version}` : '') },
          { title: 'Rollout', render: (r) => (r.flag ? describeServe(r.flag.fallthrough) : '') },
          { title: 'Rules', render: (r) => (r.flag ? String(r.flag.rules.length) : '') },
          { title: 'Allow / deny', render: (r) => (r.flag ? `${r.flag.allowList.reduce((n, t) => n + t.keys.length, 0)} / ${r.flag.denyList.length}` : '') },
          { title: 'Last change', render: (r) => (r.flag ? when(r.flag.lastChange.at) : '') },
        ], rows, { testid: 'env-table', rowTestid: 'env-row', key: (r) => r.env }));
      });
      holder.classList.add('envs');
      return holder;
    };

    const render = () => {
      mount(body, header(), variantsPanel(), rolloutPanel(), rulesPanel(), listsPanel(), environmentsPanel());
    };

    /** Reads the flag (and the segments) and renders it; true when it could be read. */
    const load = async () => {
      try {
        const [answer, segmentList] = await Promise.all([
          ctx.api.commandResponse('GET', path),
          ctx.api.command('GET', `/api/v1/environments/${seg(ctx.env)}/segments`).catch((err) => {
            toastError(err);
            return { segments: [] };
          }),
        ]);
        flag = answer.body;
        etag = answer.headers.get('ETag') || `"${flag.version}"`;
        segments = (segmentList && segmentList.segments) || [];
        conflict.classList.add('hidden');
        conflict.replaceChildren();
        render();
        return true;
      } catch (err) {
        toastError(err);
        mount(body, h('p', { 'data-testid': 'flag-missing' }, `${params.key} could not be read in ${ctx.env}.`));
        return false;
      }
    };
    await load();
    return () => closePropagation();
  },
};
