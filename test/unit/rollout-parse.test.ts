import { describe, expect, it } from 'vitest';
import { parseCommand } from '../../src/slack/commands/command-table.js';

describe('parseCommand: rollout subcommands', () => {
  it('parses test and plan with a bake id or an AMI id, and the maintenance window', () => {
    expect(parseCommand('test bake-20261128-k3m9')).toEqual({ kind: 'test', target: 'bake-20261128-k3m9' });
    expect(parseCommand('test ami-0123456789abcdef0')).toEqual({ kind: 'test', target: 'ami-0123456789abcdef0' });
    expect(parseCommand('plan bake-20261128-k3m9')).toEqual({ kind: 'plan', target: 'bake-20261128-k3m9' });
    expect(parseCommand('plan bake-20261128-k3m9 --at "2026-12-01 02:00"')).toEqual({
      kind: 'plan',
      target: 'bake-20261128-k3m9',
      at: '2026-12-01 02:00',
    });
    expect(parseCommand('plan --at=\u201C2026-12-01 02:00\u201D ami-0123456789abcdef0')).toEqual({
      kind: 'plan',
      target: 'ami-0123456789abcdef0',
      at: '2026-12-01 02:00',
    });
    expect(parseCommand('plan bake-20261128-k3m9 --at "2026-12-01 02:00" --for 90m')).toEqual({
      kind: 'plan',
      target: 'bake-20261128-k3m9',
      at: '2026-12-01 02:00',
      for: '90m',
    });
    expect(parseCommand('plan bake-20261128-k3m9 --at "2026-12-01 02:00" --until="2026-12-01 04:00"')).toEqual({
      kind: 'plan',
      target: 'bake-20261128-k3m9',
      at: '2026-12-01 02:00',
      until: '2026-12-01 04:00',
    });
  });

  it('parses --override-test "reason" on plan and --keep on test', () => {
    expect(parseCommand('plan bake-20261128-k3m9 --override-test "hotfix, tested by hand"')).toEqual({
      kind: 'plan',
      target: 'bake-20261128-k3m9',
      overrideTest: 'hotfix, tested by hand',
    });
    expect(
      parseCommand('plan --override-test=\u201Curgent\u201D ami-0123456789abcdef0 --at "2026-12-01 02:00"'),
    ).toEqual({
      kind: 'plan',
      target: 'ami-0123456789abcdef0',
      at: '2026-12-01 02:00',
      overrideTest: 'urgent',
    });
    expect(parseCommand('test bake-20261128-k3m9 --keep')).toEqual({
      kind: 'test',
      target: 'bake-20261128-k3m9',
      keep: true,
    });
    expect(parseCommand('plan bake-20261128-k3m9 --override-test')).toMatchObject({
      kind: 'invalid',
      message: expect.stringContaining('needs a reason'),
    });
    expect(parseCommand('plan bake-20261128-k3m9 --override-test "   "')).toMatchObject({ kind: 'invalid' });
    expect(parseCommand(`plan bake-20261128-k3m9 --override-test "${'x'.repeat(301)}"`)).toMatchObject({
      kind: 'invalid',
      message: expect.stringContaining('keep it to 300'),
    });
    expect(parseCommand(`plan bake-20261128-k3m9 --override-test "${'x'.repeat(300)}"`)).toMatchObject({
      kind: 'plan',
    });
    expect(parseCommand('test bake-20261128-k3m9 --kept')).toMatchObject({ kind: 'invalid' });
  });

  it('validates ids by pattern before anything looks them up', () => {
    for (const text of [
      'test {"$ne":null}',
      'plan ami-XYZ',
      'plan',
      'plan bake-20261128-k3m9 extra',
      'plan bake-20261128-k3m9 --at',
      'plan bake-20261128-k3m9 --now',
      'plan bake-20261128-k3m9 --at "2026-12-01 02:00" --for',
      'plan bake-20261128-k3m9 --until',
      'revert bake-20261128-k3m9',
      'revert',
      'drain chg-1',
      'history 0',
      'history 51',
      'history lots',
    ]) {
      expect(parseCommand(text), text).toMatchObject({ kind: 'invalid' });
    }
  });

  it('parses revert, drain, history and the cancel of a test', () => {
    expect(parseCommand('revert chg-20261128-k3m9')).toEqual({ kind: 'revert', changeId: 'chg-20261128-k3m9' });
    expect(parseCommand('drain chg-20261128-k3m9')).toEqual({ kind: 'drain', changeId: 'chg-20261128-k3m9' });
    expect(parseCommand('history')).toEqual({ kind: 'history' });
    expect(parseCommand('HISTORY 5')).toEqual({ kind: 'history', limit: 5 });
    expect(parseCommand('cancel test-20261128-k3m9')).toEqual({ kind: 'cancelTest', testId: 'test-20261128-k3m9' });
    expect(parseCommand('cancel bake-20261128-k3m9')).toEqual({ kind: 'cancel', bakeId: 'bake-20261128-k3m9' });
  });
});
