// The flags of an environment: search as you type and filters over every flag in memory, a
// windowed list (10,000 flags stay fast), kill / revive on the list itself, a new-flag form.
import { h, mount, toastError, toastInfo, confirmDialog, windowedList, liveOnNodes } from '../ui.js';
import { seg } from '../api.js';

const KINDS = ['release', 'experiment', 'operational', 'kill_switch', 'permission'];
const STATUSES = ['new', 'active', 'launched', 'inactive', 'stale'];

function stateOf(flag) {
  if (flag.archived) return 'archived';
  if (flag.killed) return 'killed';
  return flag.enabled ? 'on' : 'off';
}

function options(select, values, allLabel) {
  const current = select.value;
  mount(select, h('option', { value: '' }, allLabel), values.map((v) => h('option', { value: v }, v)));
  select.value = values.includes(current) ? current : '';
}

/** 'key = value' per line; a value that reads as JSON is taken as JSON, otherwise as a string. */
export function parseVariants(text, type) {
  const variants = [];
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (!line) continue;
    const eq = line.indexOf('=');
    if (eq < 0) {
      throw new Error(`"${line}": write each variant as key = value`);
    }
    const key = line.slice(0, eq).trim();
    const text = line.slice(eq + 1).trim();
    let value = text;
    if (type !== 'string') {
      try {
        value = JSON.parse(text);
      } catch (e) {
        value = text;
      }
    }
    variants.push({ key, value });
  }
  return variants;
}

function newFlagForm(ctx, onCreated, onCancel) {
  const key = h('input', { type: 'text', 'data-testid': 'new-flag-key', placeholder: 'checkout.new_ui' });
  const type = h('select', { 'data-testid': 'new-flag-type' }, ['boolean', 'string', 'number', 'json'].map((t) => h('option', { value: t }, t)));
  const variants = h('textarea', { rows: 3, 'data-testid': 'new-flag-variants', placeholder: 'boolean flags get on / off; otherwise one per line: control = "blue"' });
  const description = h('input', { type: 'text', 'data-testid': 'new-flag-description' });
  const owner = h('input', { type: 'text', 'data-testid': 'new-flag-owner', placeholder: 'team-checkout' });
  const tags = h('input', { type: 'text', 'data-testid': 'new-flag-tags', placeholder: 'comma, separated' });
  const kind = h('select', { 'data-testid': 'new-flag-kind' }, KINDS.map((k) => h('option', { value: k }, k)));
  const enabled = h('input', { type: 'checkbox', 'data-testid': 'new-flag-enabled' });
  const submit = h('button', { class: 'primary', type: 'submit', 'data-testid': 'new-flag-submit' }, 'Create');
  const cancel = h('button', { type: 'button', 'data-testid': 'new-flag-cancel', onclick: onCancel }, 'Cancel');
  const form = h('form', { class: 'panel', 'data-testid': 'new-flag-form' },
    h('h2', {}, `New flag in ${ctx.env}`),
    h('div', { class: 'grid2' },
      h('div', {}, h('label', {}, 'Key'), key),
      h('div', {}, h('label', {}, 'Type'), type),
      h('div', {}, h('label', {}, 'Owner'), owner),
      h('div', {}, h('label', {}, 'Kind'), kind),
      h('div', {}, h('label', {}, 'Tags'), tags),
      h('div', {}, h('label', {}, 'Description'), description)),
    h('label', {}, 'Variants'), variants,
    h('div', { class: 'row' }, h('label', {}, enabled, ' serve it at once (enabled)')),
    h('div', { class: 'row' }, submit, cancel));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const body = { key: key.value.trim(), type: type.value, kind: kind.value, enabled: enabled.checked };
    if (description.value.trim()) body.description = description.value.trim();
    if (owner.value.trim()) body.owner = owner.value.trim();
    const tagList = tags.value.split(',').map((t) => t.trim()).filter(Boolean);
    if (tagList.length) body.tags = tagList;
    try {
      const parsed = parseVariants(variants.value, type.value);
      if (parsed.length) body.variants = parsed;
    } catch (err) {
      toastError(err);
      return;
    }
    submit.disabled = true;
    try {
      const answer = await ctx.api.command('POST', `/api/v1/environments/${seg(ctx.env)}/flags`, body);
      toastInfo(`created ${answer.key} (v${answer.version})`);
      onCreated(answer);
    } catch (err) {
      toastError(err);
    } finally {
      submit.disabled = false;
    }
  });
  return { form, focus: () => key.focus() };
}

export default {
  id: 'flags',
  title: 'Flags',
  nav: true,
  routes: ['flags'],
  async render(root, params, ctx) {
    const base = `/api/v1/environments/${seg(ctx.env)}`;
    let flags = [];
    const lifecycle = new Map();
    let closePropagation = () => {};

    const search = h('input', { type: 'search', 'data-testid': 'flag-search', placeholder: 'search keys and descriptions', autocomplete: 'off' });
    const tag = h('select', { 'data-testid': 'filter-tag', 'aria-label': 'tag' });
    const owner = h('select', { 'data-testid': 'filter-owner', 'aria-label': 'owner' });
    const kind = h('select', { 'data-testid': 'filter-kind', 'aria-label': 'kind' });
    const status = h('select', { 'data-testid': 'filter-status', 'aria-label': 'lifecycle status' });
    const stale = h('input', { type: 'checkbox', 'data-testid': 'filter-stale' });
    const count = h('span', { class: 'muted', 'data-testid': 'flag-count' }, 'loading…');
    const propagation = h('div', { class: 'propagation', 'data-testid': 'propagation-area' });
    const formArea = h('div', {});
    options(kind, KINDS, 'any kind');
    options(status, STATUSES, 'any status');

    const act = async (flag, action) => {
      const killing = action === 'kill';
      const { confirmed, reason } = await confirmDialog({
        title: `${killing ? 'Kill' : 'Revive'} ${flag.key} in ${ctx.env}?`,
        body: killing ? 'Every evaluator serves the off variant at once, whatever the rules say.'
          : 'The flag serves by its rules again.',
        confirmLabel: killing ? 'Kill' : 'Revive',
        withReason: true,
        danger: killing,
      });
      if (!confirmed) return;
      try {
        const answer = await ctx.api.command('POST', `${base}/flags/${seg(flag.key)}/${action}`, reason ? { reason } : {});
        Object.assign(flag, answer.flag);
        apply();
        closePropagation();
        const line = h('span', {});
        mount(propagation, h('strong', {}, `${killing ? 'killed' : 'revived'} ${flag.key} `), line);
        closePropagation = liveOnNodes(ctx.env, flag.key, answer.version, line);
      } catch (err) {
        toastError(err);
      }
    };

    const list = windowedList({
      rowHeight: 38,
      columns: 'minmax(220px, 3fr) 80px 110px 110px 1.2fr 1.2fr 100px',
      header: ['Key', 'Type', 'State', 'Lifecycle', 'Owner', 'Tags', ''],
      rowTestid: 'flag-row',
      key: (f) => f.key,
      renderRow: (f) => {
        const life = lifecycle.get(f.key);
        const state = stateOf(f);
        return [
          h('a', { href: `#/${seg(ctx.env)}/flags/${seg(f.key)}`, 'data-testid': 'flag-link', title: f.description || f.key }, f.key),
          h('span', { class: 'muted' }, f.type),
          h('span', {}, h('span', { class: `badge ${state}`, 'data-testid': 'flag-state' }, state)),
          h('span', {}, life ? h('span', { class: `badge ${life.status}`, 'data-testid': 'flag-lifecycle', title: life.reason || '' }, life.status) : ''),
          h('span', { 'data-testid': 'flag-owner' }, f.owner || ''),
          h('span', { class: 'muted', 'data-testid': 'flag-tags' }, (f.tags || []).join(', ')),
          h('span', {}, f.archived ? '' : f.killed
            ? h('button', { class: 'small', 'data-testid': 'flag-revive', onclick: () => act(f, 'revive') }, 'Revive')
            : h('button', { class: 'small danger', 'data-testid': 'flag-kill', onclick: () => act(f, 'kill') }, 'Kill')),
        ];
      },
    });

    const apply = () => {
      const q = search.value.trim().toLowerCase();
      const t = tag.value;
      const o = owner.value;
      const k = kind.value;
      const st = status.value;
      const onlyStale = stale.checked;
      const shown = flags.filter((f) => {
        if (q && !f.key.toLowerCase().includes(q) && !(f.description || '').toLowerCase().includes(q)) return false;
        if (t && !(f.tags || []).includes(t)) return false;
        if (o && f.owner !== o) return false;
        if (k && f.kind !== k) return false;
        const life = lifecycle.get(f.key);
        if (st && (!life || life.status !== st)) return false;
        if (onlyStale && (!life || life.status !== 'stale')) return false;
        return true;
      });
      count.textContent = `${shown.length} of ${flags.length} flags`;
      count.dataset.shown = String(shown.length);
      count.dataset.total = String(flags.length);
      list.setItems(shown);
    };
    [search].forEach((el) => el.addEventListener('input', apply));
    [tag, owner, kind, status, stale].forEach((el) => el.addEventListener('change', apply));

    const newFlag = h('button', { class: 'primary', 'data-testid': 'new-flag', onclick: () => {
      const form = newFlagForm(ctx, (answer) => ctx.navigate(`/${seg(ctx.env)}/flags/${seg(answer.key)}`), () => mount(formArea));
      mount(formArea, form.form);
      form.focus();
    } }, 'New flag');

    mount(root,
      h('div', { class: 'row' }, h('h1', {}, `Flags in ${ctx.env}`), h('span', { class: 'spacer' }), newFlag),
      formArea,
      h('div', { class: 'toolbar' }, search, tag, owner, kind, status,
        h('label', { class: 'row' }, stale, 'stale only'), count),
      propagation,
      list.el);
    search.focus();

    const load = async () => {
      const [definitions, statuses] = await Promise.allSettled([
        ctx.api.command('GET', `${base}/flags`),
        ctx.api.projection('GET', `${base}/flags`),
      ]);
      if (definitions.status === 'rejected') {
        toastError(definitions.reason);
        count.textContent = 'the flags could not be read';
        return;
      }
      flags = definitions.value.flags.slice().sort((a, b) => a.key.localeCompare(b.key));
      lifecycle.clear();
      if (statuses.status === 'fulfilled') {
        for (const row of statuses.value.flags || []) lifecycle.set(row.key, row);
      } else {
        toastError(statuses.reason);
      }
      const tags = [...new Set(flags.flatMap((f) => f.tags || []))].sort();
      const owners = [...new Set(flags.map((f) => f.owner).filter(Boolean))].sort();
      options(tag, tags, 'any tag');
      options(owner, owners, 'any owner');
      apply();
    };
    await load();
    return () => closePropagation();
  },
};
