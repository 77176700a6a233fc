import { describe, expect, it } from 'vitest';
import { approvalDeadlock, approverNote } from '../../src/rollout/approver-capacity.js';

const config = (admins: string[], users: string[] = [], userGroup?: string, twoPersonRule = true) => ({
  admins,
  twoPersonRule,
  approvers: { users, ...(userGroup ? { userGroup } : {}) },
});
const chat = (members: string[] | Error = []) => ({
  userGroupMembers: async () => {
    if (members instanceof Error) throw members;
    return members;
  },
});

describe('who can approve', () => {
  it('start-up: stuck only when no admin can ever find a second approver', () => {
    expect(approvalDeadlock(config(['UA']))).toMatch(/only approver is UA; set AMIBOT_APPROVERS/);
    expect(approvalDeadlock(config(['UA'], ['UA']))).toContain('only approver is UA');
    expect(approvalDeadlock(config(['UA', 'UB']))).toBeUndefined();
    expect(approvalDeadlock(config(['UA'], ['UB']))).toBeUndefined();
    expect(approvalDeadlock(config(['UA'], [], 'S1'))).toBeUndefined();
    expect(approvalDeadlock(config(['UA'], [], undefined, false))).toBeUndefined();
  });

  it('plan reply: the others who can approve, or that nobody can', async () => {
    expect(await approverNote(config(['UA', 'UB']), chat(), 'UA')).toBe(
      'Who can approve: <@UB> (not you: two-person rule).',
    );
    expect(await approverNote(config(['UA']), chat(), 'UA')).toMatch(/^:warning: Nobody can approve it: /);
    expect(await approverNote(config(['UA'], ['UA'], 'S1'), chat(['UA']), 'UA')).toMatch(/^:warning: Nobody/);
    expect(await approverNote(config(['UA'], [], 'S1'), chat(['UB']), 'UA')).toBe(
      'Who can approve: members of <!subteam^S1> (not you: two-person rule).',
    );
    // Slack not answering for the group is not "nobody": the group is named.
    expect(await approverNote(config(['UA'], [], 'S1'), chat(new Error('down')), 'UA')).toContain('<!subteam^S1>');
    expect(await approverNote(config(['UA'], [], undefined, false), chat(), 'UA')).toBe('Who can approve: <@UA>.');
  });
});
