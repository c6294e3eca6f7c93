/**
 * cli/lib/operator.ts: the operator comes from UNLOCK_TRADER_OPERATOR, else the OS user; `--by` is
 * accepted only when it names that operator.
 */
import { CliError } from '../../cli/context';
import { identifyOperator, operatorFor } from '../../cli/lib/operator';

const osUser = () => 'osuser';

test('UNLOCK_TRADER_OPERATOR wins over the OS user; blank falls back to the OS user', () => {
  expect(identifyOperator({ env: { UNLOCK_TRADER_OPERATOR: ' alice ' }, osUser })).toBe('alice');
  expect(identifyOperator({ env: { UNLOCK_TRADER_OPERATOR: '  ' }, osUser })).toBe('osuser');
  expect(identifyOperator({ env: {}, osUser })).toBe('osuser');
});

test('no identifiable operator is a one-line error saying what to set', () => {
  const noUser = () => {
    throw new Error('ENOENT: no passwd entry');
  };
  expect(() => identifyOperator({ env: {}, osUser: noUser })).toThrow(new CliError('cannot identify the operator: set UNLOCK_TRADER_OPERATOR to your name'));
  expect(() => identifyOperator({ env: { UNLOCK_TRADER_OPERATOR: 'a\nb' }, osUser })).toThrow(new CliError('UNLOCK_TRADER_OPERATOR contains control characters'));
});

test('--by: absent → the operator; the same name (any case) → the operator; another name → refused', () => {
  const env = { UNLOCK_TRADER_OPERATOR: 'alice' };
  expect(operatorFor(undefined, { env, osUser })).toBe('alice');
  expect(operatorFor('Alice', { env, osUser })).toBe('alice');
  expect(() => operatorFor('bob', { env, osUser })).toThrow(new CliError('--by "bob" is not you: the operator is "alice" (from UNLOCK_TRADER_OPERATOR); drop --by, or set UNLOCK_TRADER_OPERATOR'));
  expect(() => operatorFor('bob', { env: {}, osUser })).toThrow(/the operator is "osuser" \(from the OS user\)/);
});
