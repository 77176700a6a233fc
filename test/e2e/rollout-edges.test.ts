import { afterEach, describe, expect, it } from 'vitest';
import { ACTION_IDS } from '../../src/slack/action-ids.js';
import { type Harness, OPS } from '../support/bot-harness.js';
import { allText, blockKitProblems } from '../support/rollout-fixtures.js';
import {
  APPROVERS,
  gateReadyAmi,
  latestChange,
  rolloutHarness,
  tierImages,
  until,
} from '../support/rollout-harness.js';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

describe('rollout edges end to end (signed Slack requests → real app)', () => {
  it('a click after the deadline changes nothing and says the change expired', async () => {
    h = await rolloutHarness((config) => {
      config.approvalTtlHours = 0.01; // 36 virtual seconds
    });
    const before = tierImages(h);
    // A tested AMI of a succeeded bake, as the rollout gate requires.
    const { amiId: target } = await gateReadyAmi(h);
    await h.slash(`plan ${target}`, { responseId: 'plan' });
    expect(await h.answer('plan')).toContain('Planned');
    const change = await latestChange(h, 'rollout');
    await until('the deadline', async () => (h!.clock.now() > change.deadline ? true : undefined));
    await h.click(ACTION_IDS.approve, change._id, { userId: APPROVERS[0], responseId: 'late' });
    expect(await h.answer('late')).toContain('expired');
    expect((await h.store.changes.get(change._id))?.status).toBe('expired');
    await h.bot.rollout.idle();
    expect(tierImages(h)).toEqual(before);
  });

  it('posts a plan of 200 tiers within Block Kit limits, the full list as thread replies', async () => {
    h = await rolloutHarness();
    const source = h.world.tiers.find((t) => t.doc._id === 'small-k8s')!;
    for (let i = 0; i < 200; i++) {
      h.world.tiers.push({
        idType: 'string',
        doc: {
          ...source.doc,
          _id: `tier-${String(i).padStart(3, '0')}`,
          name: `Team ${i} compute tier (m5.4xlarge, 64 GiB, spot)`,
        },
      });
    }
    // A tested AMI of a succeeded bake (the gate): newer than every tier's, so large moves too (204, was 203).
    const { amiId: target } = await gateReadyAmi(h);
    await h.slash(`plan ${target}`, { responseId: 'plan200' });
    expect(await h.answer('plan200')).toMatch(/Planned chg-\d{8}-[a-z0-9]{4}: 204 tiers to change/);
    const change = await latestChange(h, 'rollout');
    await h.bot.rollout.idle();
    const posts = h.fake.callsTo('chat.postMessage').filter((c) => c.args.channel === OPS);
    expect(posts.length).toBeGreaterThan(1);
    for (const post of posts) {
      expect(
        blockKitProblems({ text: String(post.args.text), blocks: post.args.blocks as never }),
        String(post.args.text),
      ).toEqual([]);
      expect(post.status).toBe(200);
    }
    const everything = posts.map((p) => allText({ text: '', blocks: p.args.blocks as never })).join('\n');
    for (const tier of change.updates) expect(everything).toContain(`\`${tier.id}\``);
  });
});
