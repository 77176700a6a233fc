import type { App } from '@slack/bolt';
import { describe, expect, it } from 'vitest';
import { ACTION_IDS } from '../../src/slack/action-ids.js';
import { type ActionArgs, createActionRouter, refuseOrigin } from '../../src/slack/action-router.js';
import { buttonOriginOf } from '../../src/slack/button-origin.js';

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

  it('binds clicks to the installation: workspace, Grid org when both say one, ops channel', () => {
    const binding = (enterpriseId?: string) => ({
      installation: () => ({ teamId: 'T1', ...(enterpriseId ? { enterpriseId } : {}) }),
      opsChannels: ['C0OPS'],
    });
    const ok = { teamId: 'T1', channelId: 'C0OPS', messageTs: '1.1' };
    expect(refuseOrigin(ok, binding())).toBeUndefined();
    expect(refuseOrigin({ ...ok, enterpriseId: 'E1' }, binding('E1'))).toBeUndefined();
    expect(refuseOrigin({ ...ok, enterpriseId: 'E2' }, binding('E1'))).toContain('another Slack workspace');
    expect(refuseOrigin({ ...ok, teamId: 'T2' }, binding())).toContain('another Slack workspace');
    expect(refuseOrigin({ teamId: 'T1', messageTs: '1.1' }, binding())).toContain('ops channel');
    expect(refuseOrigin({ ...ok, channelId: 'C0ELSE' }, binding())).toContain('ops channel');
    // Unknown installation (the demo): only the channel is checked.
    expect(refuseOrigin({ ...ok, teamId: 'T9' }, { installation: () => ({}), opsChannels: ['C0OPS'] })).toBeUndefined();
  });

  it('reads the origin from a block_actions body, tolerating missing or odd fields', () => {
    expect(
      buttonOriginOf({
        team: { id: 'T1' },
        enterprise: { id: 'E1' },
        channel: { id: 'C1' },
        message: { ts: '2.2', thread_ts: '1.1' },
      }),
    ).toEqual({ teamId: 'T1', enterpriseId: 'E1', channelId: 'C1', messageTs: '2.2', threadTs: '1.1' });
    expect(
      buttonOriginOf({ team: null, user: { team_id: 'T2' }, container: { channel_id: 'C2', message_ts: '3.3' } }),
    ).toEqual({ teamId: 'T2', channelId: 'C2', messageTs: '3.3' });
    expect(buttonOriginOf(undefined)).toEqual({});
    expect(buttonOriginOf({ team: { id: 5 }, channel: 'C1', message: null })).toEqual({});
  });
});
