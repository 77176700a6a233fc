import { describe, expect, it } from 'vitest';
import type { Block } from '../../src/ports/chat.js';
import { createConsoleChat } from '../../src/sim/console-chat.js';
import { createManualClock } from '../../src/sim/manual-clock.js';

function setup() {
  const lines: string[] = [];
  const clock = createManualClock(new Date('2026-09-01T09:00:00Z'));
  const chat = createConsoleChat({
    write: (line) => lines.push(line),
    clock,
    users: {
      U0ADMIN01: { name: 'pat', email: 'pat@acme.example' },
      U0APPR001: { name: 'sam', email: 'Sam@acme.example' },
    },
    groups: { S0AMIAPPR: ['U0APPR001'] },
    channels: { C0OPS00001: 'domino-ops' },
  });
  return { lines, clock, chat };
}

const approvalBlocks: Block[] = [
  { type: 'header', text: { type: 'plain_text', text: 'Apply ami-0abc to 4 tiers?' } },
  {
    type: 'section',
    text: { type: 'mrkdwn', text: 'Requested by <@U0ADMIN01> for <!subteam^S0AMIAPPR|@ami-approvers>' },
    fields: [
      { type: 'mrkdwn', text: '*Changes*\nsmall-k8s, medium' },
      { type: 'mrkdwn', text: '*Skipped*\ngpu (special AMI)' },
    ],
  },
  { type: 'divider' },
  {
    type: 'actions',
    elements: [
      {
        type: 'button',
        action_id: 'approve',
        style: 'primary',
        text: { type: 'plain_text', text: 'Approve' },
        confirm: {
          title: { type: 'plain_text', text: 'Apply?' },
          text: { type: 'plain_text', text: 'Tiers change now.' },
          confirm: { type: 'plain_text', text: 'Apply' },
          deny: { type: 'plain_text', text: 'Back' },
        },
      },
      { type: 'button', action_id: 'reject', style: 'danger', text: { type: 'plain_text', text: 'Reject' } },
      { type: 'button', action_id: 'details', text: { type: 'plain_text', text: 'Details' } },
    ],
  },
  {
    type: 'context',
    elements: [{ type: 'mrkdwn', text: 'Bake bake-20260901-ab12 · <https://example.com/logs|logs>' }],
  },
];

describe('console chat (the simulated Slack)', () => {
  it('renders Block Kit, thread replies, updates, DMs and ephemerals readably', async () => {
    const { chat, lines, clock } = setup();
    const root = await chat.post({ channel: 'C0OPS00001', text: 'approval needed', blocks: approvalBlocks });
    await clock.advance(5_000);
    await chat.post({
      channel: 'C0OPS00001',
      threadTs: root.ts,
      text: '*Pull* `quay.io/domino/base` done in 42 s\nnext: highstate',
    });
    await chat.update({
      channel: root.channel,
      ts: root.ts,
      text: 'approved',
      blocks: [
        approvalBlocks[0]!,
        approvalBlocks[1]!,
        { type: 'context', elements: [{ type: 'mrkdwn', text: 'Approved by <@U0APPR001>' }] },
      ],
    });
    await chat.postEphemeral({ channel: 'C0OPS00001', user: 'U0ADMIN01', text: 'Only admins can do that.' });
    await chat.dm('U0APPR001', 'Your tier *small-k8s* changes at 18:00 UTC.');
    expect(lines.join('\n')).toMatchInlineSnapshot(`
      "09:00:00 #domino-ops · m1
        # Apply ami-0abc to 4 tiers?
        Requested by @pat for @ami-approvers
        • *Changes* small-k8s, medium
        • *Skipped* gpu (special AMI)
        ────────────────────────────────────────
        [[ Approve… ]] [! Reject !] [ Details ]
        › Bake bake-20260901-ab12 · logs (https://example.com/logs)
      09:00:05   ↳ #domino-ops · m2 (thread m1)
            *Pull* \`quay.io/domino/base\` done in 42 s
            next: highstate
      09:00:05 ✎ updated m1 in #domino-ops
        › Approved by @sam
      09:00:05 #domino-ops (only visible to @pat)
        Only admins can do that.
      09:00:05 ✉ DM to @sam · m3
        Your tier *small-k8s* changes at 18:00 UTC."
    `);
    expect(chat.messages.map((m) => ({ id: m.id, kind: m.kind, threadTs: m.threadTs, updates: m.updates }))).toEqual([
      { id: 'm1', kind: 'message', threadTs: undefined, updates: 1 },
      { id: 'm2', kind: 'message', threadTs: root.ts, updates: 0 },
      { id: 'm3', kind: 'dm', threadTs: undefined, updates: 0 },
    ]);
    expect(chat.dms).toHaveLength(1);
    expect(chat.ephemerals).toEqual([{ channel: 'C0OPS00001', user: 'U0ADMIN01', text: 'Only admins can do that.' }]);
  });

  it('answers directory look-ups and permalinks like Slack', async () => {
    const { chat } = setup();
    expect(await chat.lookupUserIdByEmail('sam@acme.example')).toBe('U0APPR001');
    expect(await chat.lookupUserIdByEmail('kofi@acme.example')).toBeUndefined();
    expect(await chat.userGroupMembers('S0AMIAPPR')).toEqual(['U0APPR001']);
    await expect(chat.userGroupMembers('S0NOPE')).rejects.toMatchObject({ data: { error: 'no_such_subteam' } });
    const root = await chat.post({ channel: 'C0OPS00001', text: 'root' });
    const reply = await chat.post({ channel: 'C0OPS00001', text: 'reply', threadTs: root.ts });
    expect(await chat.permalink(root.channel, root.ts)).toBe(
      `https://acme.slack.com/archives/C0OPS00001/p${root.ts.replace('.', '')}`,
    );
    expect(await chat.permalink(reply.channel, reply.ts)).toContain(`?thread_ts=${root.ts}&cid=C0OPS00001`);
    expect(await chat.permalink('C0OPS00001', '1.000000')).toBeUndefined();
  });

  it('rejects what Slack rejects: invalid blocks, an unknown message, an empty message', async () => {
    const { chat } = setup();
    const long: Block = { type: 'section', text: { type: 'mrkdwn', text: 'x'.repeat(3_001) } };
    await expect(chat.post({ channel: 'C0OPS00001', text: 't', blocks: [long] })).rejects.toMatchObject({
      code: 'slack_webapi_platform_error',
      data: {
        error: 'invalid_blocks',
        response_metadata: {
          messages: ['[ERROR] must be less than 3001 characters [json-pointer:/blocks/0/text/text]'],
        },
      },
    });
    const tooMany = Array.from({ length: 51 }, (): Block => ({ type: 'divider' }));
    await expect(chat.post({ channel: 'C0OPS00001', text: 't', blocks: tooMany })).rejects.toMatchObject({
      data: { error: 'invalid_blocks' },
    });
    await expect(chat.update({ channel: 'C0OPS00001', ts: '1.000001', text: 'x' })).rejects.toMatchObject({
      data: { error: 'message_not_found' },
    });
    await expect(chat.post({ channel: 'C0OPS00001', text: ' ' })).rejects.toMatchObject({ data: { error: 'no_text' } });
    await expect(chat.dm('U0NOBODY', 'hi')).rejects.toMatchObject({ data: { error: 'user_not_found' } });
  });
});
