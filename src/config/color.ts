/**
 * Whether output to a stream may be coloured. `NO_COLOR` set to anything but the empty string turns colour off
 * (https://no-color.org), and so does `FORCE_COLOR=0` (or `false`); any other `FORCE_COLOR` turns it on; otherwise
 * colour is used only on a terminal. The same rule as commander's and Node's own, read from the environment the
 * command was given rather than from `process.env`, so that tests can set it.
 */
export function colorEnabled(env: NodeJS.ProcessEnv, isTerminal: boolean): boolean {
  if (env.NO_COLOR) return false;
  const force = env.FORCE_COLOR;
  if (force === '0' || force === 'false') return false;
  if (force !== undefined && force !== '') return true;
  return isTerminal;
}
