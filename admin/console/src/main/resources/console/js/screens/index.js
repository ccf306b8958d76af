// One line per screen; the order is the nav's order.
import flags from './flags.js';
import flag from './flag.js';
import history from './history.js';

export default [
  flags,
  flag,
  history,
];
