import { describe, expect, it } from 'vitest';
import type { Reply } from '../../src/shared/reply.js';
import {
  COMMAND_TABLE,
  helpMessage,
  parseCommand,
  readCommand,
  refusalReply,
} from '../../src/slack/commands/command-table.js';
import type { UseCases } from '../../src/slack/listeners.js';
import { allText } from '../support/rollout-fixtures.js';

const names = COMMAND_TABLE.map((entry) => entry.name);
const caller = { userId: 'U0ADMIN01', channelId: 'C0OPS0001' };

/** Use cases that record which one each command called. */
function recordingUseCases(): { useCases: UseCases; calls: string[] } {
  const calls: string[] = [];
  const useCases = new Proxy({} as UseCases, {
    get: (_target, method) => async (): Promise<Reply> => {
      calls.push(String(method));
      return { text: `ran ${String(method)}` };
    },
  });
  return { useCases, calls };
}

/** A valid text for each subcommand, and the one use case it must reach (help reaches none). */
const SAMPLES: Record<string, Array<[text: string, useCase: string | undefined]>> = {
  bake: [
    ['bake acme --no-reboot', 'startBake'],
    ['bake acme --images auto', 'startAutoBake'],
  ],
  suggest: [
    ['suggest', 'previewImages'],
    ['suggest acme', 'previewImages'],
  ],
  status: [['status bake-20261128-abcd', 'bakeStatus']],
  cancel: [
    ['cancel bake-20261128-abcd', 'cancelBake'],
    ['cancel test-20261128-abcd', 'cancelTest'],
  ],
  review: [['review acme', 'openReview']],
  test: [['test bake-20261128-k3m9 --keep', 'testAmi']],
  plan: [['plan ami-0123456789abcdef0 --at "2026-12-01 02:00"', 'planRollout']],
  revert: [['revert chg-20261128-k3m9', 'revertChange']],
  drain: [['drain chg-20261128-k3m9', 'planDrain']],
  images: [
    ['images', 'showImages'],
    ['images acme', 'showImages'],
  ],
  prune: [
    ['prune', 'planPrune'],
    ['prune acme', 'planPrune'],
  ],
  history: [['history 5', 'rolloutHistory']],
  help: [['help', undefined]],
};

describe('the /ami subcommand table', () => {
  it('names each subcommand once, in lower case', () => {
    expect(new Set(names).size).toBe(names.length);
    for (const name of names) expect(name).toMatch(/^[a-z]+$/);
    expect(names).toEqual(expect.arrayContaining(['bake', 'status', 'cancel', 'test', 'plan', 'help']));
  });

  it('every entry name is recognised by the parser, in any case', () => {
    for (const name of names) {
      expect(parseCommand(name), name).not.toMatchObject({ kind: 'unknown' });
      expect(parseCommand(name.toUpperCase()), name).not.toMatchObject({ kind: 'unknown' });
    }
    expect(readCommand('')).toMatchObject({ ok: true, entry: { name: 'help' } });
  });

  it("each entry's help lines are its own forms: every usage starts with `/ami <name>`", () => {
    for (const entry of COMMAND_TABLE) {
      expect(entry.help.length, entry.name).toBeGreaterThan(0);
      for (const line of entry.help) {
        expect(line.usage.split(' ').slice(0, 2), line.usage).toEqual(['/ami', entry.name]);
        expect(line.summary.length, line.usage).toBeGreaterThan(0);
      }
    }
  });

  it("the help lists every entry's usage, in the table's order, in its text and its blocks", () => {
    const help = helpMessage();
    const usages = COMMAND_TABLE.flatMap((entry) => entry.help.map((line) => line.usage));
    expect(help.text.split('\n')).toEqual(['ami-bot commands:', ...usages]);
    const shown = allText({ text: '', blocks: help.blocks });
    for (const entry of COMMAND_TABLE)
      for (const line of entry.help) {
        expect(shown).toContain(`\`${line.usage}\``);
        expect(shown).toContain(line.summary);
      }
  });

  it('one help for every deployment: bake, test and drain name the executor (tiers) and the EKS node side by side', () => {
    const shown = allText({ text: '', blocks: helpMessage().blocks });
    expect(shown).toContain('*ami-bot* bakes, tests and rolls out Domino executor (or EKS node) AMIs.');
    expect(shown).toContain('bake a new AMI from the executor (or EKS node) template');
    expect(shown).toContain('point only the test tier (or test node group) at the AMI');
    expect(shown).toContain('on a fresh executor (or node)');
    expect(shown).toContain('(EKS drains its own nodes)');
    // No line speaks of executors alone where an EKS admin reads it too.
    expect(shown).not.toContain('bake a new executor AMI');
    expect(shown).not.toContain('from the executor template');
  });

  it("an unknown subcommand's reply names it and lists every name of the table", () => {
    const invocation = readCommand('deploy everything');
    expect(invocation).toEqual({ ok: false, refusal: { kind: 'unknown', word: 'deploy' } });
    const reply = refusalReply({ kind: 'unknown', word: 'deploy' });
    expect(reply.text).toContain('`deploy` is not an ami-bot command; nothing was done.');
    for (const name of names) expect(reply.text).toContain(`/ami ${name}`);
    expect(refusalReply({ kind: 'invalid', message: 'Usage: `/ami status [bake-id]`.' })).toEqual({
      text: ':warning: Usage: `/ami status [bake-id]`. Nothing was done.',
    });
  });

  it('every subcommand has a sample here, so a new entry is tested too', () => {
    expect(Object.keys(SAMPLES).sort()).toEqual([...names].sort());
  });

  it("dispatches once: a parsed command's run calls exactly its one use case", async () => {
    for (const [text, useCase] of Object.values(SAMPLES).flat()) {
      const invocation = readCommand(text);
      if (!invocation.ok) throw new Error(`${text}: ${JSON.stringify(invocation.refusal)}`);
      const { useCases, calls } = recordingUseCases();
      const reply = await invocation.entry.run(invocation.command, { caller, useCases });
      expect(calls, text).toEqual(useCase === undefined ? [] : [useCase]);
      expect(reply.text, text).toBe(useCase === undefined ? helpMessage().text : `ran ${useCase}`);
    }
  });
});
