import { describe, expect, it } from 'vitest';
import { approvalDeadlock, approverNote as noteText } from '../../src/rollout/approver-capacity.js';
import { renderMrkdwn } from '../../src/slack/blocks/render-text.js';

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

/** The note as Slack shows it (ids valid as Slack issues them, so they render as mentions). */
const approverNote = async (...args: Parameters<typeof noteText>) => renderMrkdwn(await noteText(...args));

describe('who can approve', () => {
  it('start-up: stuck only when no admin can ever find a second approver', () => {
    expect(approvalDeadlock(config(['U0A']))).toMatch(/only approver is U0A; set AMIBOT_APPROVERS/);
    expect(approvalDeadlock(config(['U0A'], ['U0A']))).toContain('only approver is U0A');
    expect(approvalDeadlock(config(['U0A', 'U0B']))).toBeUndefined();
    expect(approvalDeadlock(config(['U0A'], ['U0B']))).toBeUndefined();
    expect(approvalDeadlock(config(['U0A'], [], 'S0A1'))).toBeUndefined();
    expect(approvalDeadlock(config(['U0A'], [], undefined, false))).toBeUndefined();
  });

  it('plan reply: the others who can approve, or that nobody can', async () => {
    expect(await approverNote(config(['U0A', 'U0B']), chat(), 'U0A')).toBe(
      'Who can approve: <@U0B> (not you: two-person rule).',
    );
    expect(await approverNote(config(['U0A']), chat(), 'U0A')).toMatch(/^:warning: Nobody can approve it: /);
    expect(await approverNote(config(['U0A'], ['U0A'], 'S0A1'), chat(['U0A']), 'U0A')).toMatch(/^:warning: Nobody/);
    expect(await approverNote(config(['U0A'], [], 'S0A1'), chat(['U0B']), 'U0A')).toBe(
      'Who can approve: members of <!subteam^S0A1> (not you: two-person rule).',
    );
    // Slack not answering for the group is not "nobody": the group is named.
    expect(await approverNote(config(['U0A'], [], 'S0A1'), chat(new Error('down')), 'U0A')).toContain(
      '<!subteam^S0A1>',
    );
    expect(await approverNote(config(['U0A'], [], undefined, false), chat(), 'U0A')).toBe('Who can approve: <@U0A>.');
  });
});
