// A flag's history: the audit timeline with diffs, and the time slider.
import { h, mount } from '../ui.js';

export default {
  id: 'history',
  title: 'History',
  nav: false,
  routes: ['flags/:key/history'],
  render(root, params) {
    mount(root, h('h1', {}, `${params.key}: history`));
  },
};
