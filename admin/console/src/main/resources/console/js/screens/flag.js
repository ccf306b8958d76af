// A flag: variants, rules, segments, lists, rollout, lifecycle, environments side by side.
import { h, mount, toastError } from '../ui.js';
import { seg } from '../api.js';

export default {
  id: 'flag',
  title: 'Flag',
  nav: false,
  routes: ['flags/:key'],
  async render(root, params, ctx) {
    mount(root, h('h1', { 'data-testid': 'flag-key' }, params.key));
    try {
      const flag = await ctx.api.command('GET', `/api/v1/environments/${seg(ctx.env)}/flags/${seg(params.key)}`);
      root.appendChild(h('pre', { class: 'json', 'data-testid': 'flag-json' }, JSON.stringify(flag, null, 2)));
    } catch (err) {
      toastError(err);
    }
  },
};
