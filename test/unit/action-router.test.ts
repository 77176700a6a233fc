import type { App } from '@slack/bolt';
import { describe, expect, it } from 'vitest';
import { ACTION_IDS } from '../../src/slack/action-ids.js';
import { type ActionArgs, createActionRouter } from '../../src/slack/action-router.js';

/** Captures the one listener the router registers with Bolt. */
function fakeApp() {
  const registered: { constraint: unknown; listener: (args: ActionArgs) => Promise<void> }[] = [];
  const app = {
    action(constraint: unknown, listener: (args: ActionArgs) => Promise<void>) {
      registered.push({ constraint, listener });
    },
  } as unknown as App;
  return { app, registered };
}

function args(actionId: string, acks: string[]): ActionArgs {
  return {
    action: { type: 'button', action_id: actionId, value: 'v' },
    ack: async () => {
      acks.push(actionId);
    },
  } as unknown as ActionArgs;
}

describe('the action router', () => {
  it('registers one Bolt listener for every ami_ button and routes by action id', async () => {
    const { app, registered } = fakeApp();
    const router = createActionRouter(app);
    const ran: string[] = [];
    router.action(ACTION_IDS.approve, async ({ ack }) => {
      await ack();
      ran.push('approve');
    });
    router.action(ACTION_IDS.reject, async ({ ack }) => {
      await ack();
      ran.push('reject');
    });
    expect(registered).toHaveLength(1);
    expect(String(registered[0]?.constraint)).toBe('/^ami_/');
    const acks: string[] = [];
    await registered[0]?.listener(args(ACTION_IDS.reject, acks));
    await registered[0]?.listener(args(ACTION_IDS.approve, acks));
    expect(ran).toEqual(['reject', 'approve']);
    expect(acks).toEqual([ACTION_IDS.reject, ACTION_IDS.approve]);
  });

  it('acks a button it has no route for (a retired button on an old message) and runs nothing', async () => {
    const { app, registered } = fakeApp();
    const router = createActionRouter(app);
    let ran = 0;
    router.action(ACTION_IDS.approve, async () => {
      ran++;
    });
    const acks: string[] = [];
    await registered[0]?.listener(args('ami_retired_button', acks));
    expect(acks).toEqual(['ami_retired_button']);
    expect(ran).toBe(0);
  });

  it('refuses a route registered twice or outside the ami_ prefix', () => {
    const router = createActionRouter(fakeApp().app);
    router.action(ACTION_IDS.cancelBake, async () => undefined);
    expect(() => router.action(ACTION_IDS.cancelBake, async () => undefined)).toThrow(/registered twice/);
    expect(() => router.action('other_button' as never, async () => undefined)).toThrow(/must start with ami_/);
  });

  it('every action id constant starts with the prefix the router listens for', () => {
    for (const id of Object.values(ACTION_IDS)) expect(id).toMatch(/^ami_/);
  });
});
