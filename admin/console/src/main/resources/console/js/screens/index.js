// One line per screen; the order is the nav's order.
import flags from './flags.js';
import flag from './flag.js';
import history from './history.js';
import experiments from './experiments.js';
import plans from './plans.js';
import changeRequests from './change-requests.js';
import evaluators from './evaluators.js';
import events from './events.js';
import tokens from './tokens.js';

export default [
  flags,
  flag,
  history,
  experiments,
  plans,
  changeRequests,
  evaluators,
  events,
  tokens,
];
