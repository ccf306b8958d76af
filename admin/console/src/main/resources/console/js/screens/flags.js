// The flags of an environment: search as you type, filters, kill / revive on the list itself.
import { h, mount, toastError, windowedList } from '../ui.js';
import { seg } from '../api.js';

export default {
  id: 'flags',
  title: 'Flags',
  nav: true,
  routes: ['flags'],
  async render(root, params, ctx) {
    const search = h('input', { type: 'search', 'data-testid': 'flag-search', placeholder: 'search flags' });
    const count = h('span', { class: 'muted', 'data-testid': 'flag-count' });
    const list = windowedList({
      columns: '2fr 1fr 1fr',
      header: ['Key', 'Type', 'State'],
      rowTestid: 'flag-row',
      key: (f) => f.key,
      renderRow: (f) => [
        h('a', { href: `#/${seg(ctx.env)}/flags/${seg(f.key)}`, 'data-testid': 'flag-link' }, f.key),
        h('span', {}, f.type),
        h('span', { 'data-testid': 'flag-state' }, f.killed ? 'killed' : f.enabled ? 'on' : 'off'),
      ],
    });
    mount(root, h('h1', {}, `Flags in ${ctx.env}`), h('div', { class: 'toolbar' }, search, count), list.el);
    let flags = [];
    const apply = () => {
      const q = search.value.trim().toLowerCase();
      const shown = q ? flags.filter((f) => f.key.toLowerCase().includes(q)) : flags;
      count.textContent = `${shown.length} of ${flags.length}`;
      list.setItems(shown);
    };
    search.addEventListener('input', apply);
    try {
      flags = (await ctx.api.command('GET', `/api/v1/environments/${seg(ctx.env)}/flags`)).flags;
      apply();
    } catch (err) {
      toastError(err);
    }
  },
};
