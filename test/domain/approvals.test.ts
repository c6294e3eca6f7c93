/**
 * domain/approvals.ts: who may approve, how many distinct approvers a step needs, and the config's
 * check that every rung can be approved by the listed people.
 */
import { approvalsNeeded, approverRefusal, decideApproval, unreachableApprovals, type ApprovalStep } from '../../domain/approvals';
import { ConfigError } from '../../config/strategy-config';
import { defaultConfig } from './helpers';

const promoteScaled1: ApprovalStep = { kind: 'PROMOTE', to: 'LIVE_SCALED_1', since: 1000 };
const fourEyes = defaultConfig({ approvers: ['alice', 'Bob', 'carol'], approvalsRequired: { LIVE_SCALED_1: 2 } });

describe('config', () => {
  test('defaults: no approver list, one approval per live rung', () => {
    const c = defaultConfig();
    expect(c.approvers).toBeUndefined();
    expect(c.approvalsRequired).toEqual({ LIVE_MINIMAL: 1, LIVE_SCALED_1: 1, LIVE_SCALED_2: 1, LIVE_SCALED_3: 1 });
  });

  test('a rung needing more distinct approvers than are listed is refused with the reason', () => {
    expect(() => defaultConfig({ approvers: ['alice', 'ALICE'], approvalsRequired: { LIVE_SCALED_2: 2 } })).toThrow(
      new ConfigError('invalid strategy config: approvalsRequired: LIVE_SCALED_2 needs 2 distinct approvers but only 1 are listed'),
    );
    expect(() => defaultConfig({ approvers: [] })).toThrow(/approvers: list at least one name/);
    expect(() => defaultConfig({ approvalsRequired: { LIVE_MINIMAL: 0 } })).toThrow(/approvalsRequired\.LIVE_MINIMAL/);
    expect(() => defaultConfig({ approvalsRequired: { PAPER: 1 } })).toThrow(/approvalsRequired/);
  });

  test('unreachableApprovals is null without a list or when every rung is reachable', () => {
    expect(unreachableApprovals(undefined, { LIVE_MINIMAL: 5 })).toBeNull();
    expect(unreachableApprovals(['a', 'b'], { LIVE_MINIMAL: 1, LIVE_SCALED_1: 2 })).toBeNull();
  });
});

describe('approver list', () => {
  test('names compare trimmed and case-insensitively', () => {
    expect(approverRefusal(fourEyes, ' bob ')).toBeNull();
    expect(approverRefusal(fourEyes, 'ALICE')).toBeNull();
  });

  test('someone not on the list is refused, naming who may approve', () => {
    expect(approverRefusal(fourEyes, 'mallory')).toBe('mallory is not an approver of this strategy (approvers: alice, Bob, carol)');
    expect(decideApproval(fourEyes, null, promoteScaled1, 'mallory')).toEqual({
      outcome: 'REFUSED',
      reason: 'mallory is not an approver of this strategy (approvers: alice, Bob, carol)',
    });
  });

  test('without a list anyone may approve', () => {
    expect(approverRefusal(defaultConfig(), 'anyone')).toBeNull();
  });
});

describe('distinct approvals', () => {
  test('PAPER needs one; live rungs their configured count; configs recorded before the field need one', () => {
    expect(approvalsNeeded(fourEyes, 'PAPER')).toBe(1);
    expect(approvalsNeeded(fourEyes, 'LIVE_MINIMAL')).toBe(1);
    expect(approvalsNeeded(fourEyes, 'LIVE_SCALED_1')).toBe(2);
    expect(approvalsNeeded({}, 'LIVE_SCALED_3')).toBe(1);
  });

  test('one approval is enough where one is required', () => {
    expect(decideApproval(fourEyes, null, { kind: 'PROMOTE', to: 'LIVE_MINIMAL', since: 5 }, 'alice')).toEqual({ outcome: 'APPROVED', by: ['alice'], needed: 1 });
  });

  test('four eyes: the first approval is pending, a second distinct one approves', () => {
    const first = decideApproval(fourEyes, null, promoteScaled1, 'alice');
    expect(first).toEqual({ outcome: 'PENDING', pending: { ...promoteScaled1, by: ['alice'] }, needed: 2 });
    if (first.outcome !== 'PENDING') throw new Error('expected PENDING');
    expect(decideApproval(fourEyes, first.pending, promoteScaled1, 'bob')).toEqual({ outcome: 'APPROVED', by: ['alice', 'bob'], needed: 2 });
  });

  test('the same person twice is refused, however spelled', () => {
    const pending = { ...promoteScaled1, by: ['alice'] };
    expect(decideApproval(fourEyes, pending, promoteScaled1, ' Alice')).toEqual({
      outcome: 'REFUSED',
      reason: 'Alice has already approved this promotion to LIVE_SCALED_1 (1 of 2); it needs a different approver',
    });
  });

  test('approvals for an earlier promotion or another step do not count', () => {
    const stale = { ...promoteScaled1, since: 1, by: ['alice'] };
    expect(decideApproval(fourEyes, stale, promoteScaled1, 'alice')).toMatchObject({ outcome: 'PENDING', pending: { by: ['alice'] } });
    const resume: ApprovalStep = { kind: 'RESUME', to: 'LIVE_SCALED_1', since: 1000 };
    expect(decideApproval(fourEyes, { ...promoteScaled1, by: ['alice'] }, resume, 'alice')).toMatchObject({ outcome: 'PENDING', pending: { kind: 'RESUME', by: ['alice'] } });
  });
});
