// The App Home's "AMIs and snapshots" section (issue 16): the use case reads each deployment's inventory summary
// (a failure is that deployment's note, never a page that does not open); the pure builder says the numbers, that
// the cost is an estimate, and escapes what came from outside.
import { describe, expect, it } from 'vitest';
import { createMemoryStateStore } from '../../src/adapters/memory/memory-state-store.js';
import { createHomeTab } from '../../src/bake/home-tab.js';
import { configSchema } from '../../src/config-schema.js';
import { AppError } from '../../src/errors.js';
import type { AmiInventorySummary } from '../../src/review/review-report.js';
import { createManualClock } from '../../src/sim/index.js';
import { homeAmiBlocks } from '../../src/slack/blocks/home-amis.js';
import { homeView } from '../../src/slack/blocks/home-view.js';

const NOW = new Date('2026-12-03T10:00:00Z');
const SUMMARY: AmiInventorySummary = {
  amis: 4,
  snapshotGiB: 400,
  monthlyCostUsd: 20,
  retirable: 1,
  orphanImages: 0,
  orphanSnapshots: 0,
};
const texts = (blocks: unknown[]) => JSON.stringify(blocks);

const config = configSchema.parse({
  slack: { botToken: 'xoxb-test' },
  mongo: {},
  opsChannels: ['C0OPS00001'],
  admins: ['U0ADMIN01'],
  deployments: [{ name: 'acme' }, { name: 'beta', retention: { pricePerGbMonth: 0.05 } }],
});

describe('App Home: AMIs and snapshots', () => {
  it('reads every deployment; one that fails is its own note', async () => {
    const homeTab = createHomeTab({
      config,
      store: createMemoryStateStore(),
      clock: createManualClock(NOW),
      amiInventory: async (d) => {
        if (d.name === 'beta') throw new AppError('aws_denied', 'EC2 refused DescribeImages (AccessDenied).');
        return SUMMARY;
      },
    });
    const data = await homeTab({ userId: 'U0ADMIN01' });
    expect(data.amis).toEqual([
      { deployment: 'acme', pricePerGbMonth: 0.05, summary: SUMMARY },
      {
        deployment: 'beta',
        pricePerGbMonth: 0.05,
        note: 'Could not read the AMI inventory: EC2 refused DescribeImages (AccessDenied).',
      },
    ]);
  });

  it('without an inventory reader there is no section', async () => {
    const homeTab = createHomeTab({ config, store: createMemoryStateStore(), clock: createManualClock(NOW) });
    const data = await homeTab({ userId: 'U0ADMIN01' });
    expect(data.amis).toBeUndefined();
    const view = homeView({ bakes: [], isAdmin: true, now: NOW, sandbox: false });
    expect(texts(view.blocks)).not.toContain('AMIs and snapshots');
  });

  it('says the numbers, that the cost is an estimate, and the orphans; escapes a note', () => {
    const blocks = homeAmiBlocks([
      { deployment: 'acme', pricePerGbMonth: 0.05, summary: { ...SUMMARY, orphanImages: 1, orphanSnapshots: 2 } },
      { deployment: 'beta', pricePerGbMonth: 0.05, summary: SUMMARY },
      { deployment: 'gamma', pricePerGbMonth: 0.05, note: 'Could not read: <@U0EVIL> & <!channel>' },
    ]);
    const all = texts(blocks);
    expect(all).toContain(
      "4 AMIs of acme's bakes, 400 GiB of snapshots, ~$20.00/month (estimate); 1 AMI retirable by the retention policy (`/ami prune`); 3 orphans (1 image, 2 snapshots no record explains).",
    );
    expect(all).toContain('1 AMI retirable by the retention policy (`/ami prune`); 0 orphans.');
    expect(all).toContain('Cost is an estimate: snapshot GiB x $0.05/GB-month');
    expect(all).toContain('gamma: Could not read: &lt;@U0EVIL&gt; &amp; &lt;!channel&gt;');
    expect(all).not.toContain('<@U0EVIL>');
  });

  it('sits between the recent bakes and the commands on the page', () => {
    const view = homeView({
      bakes: [],
      amis: [{ deployment: 'acme', pricePerGbMonth: 0.05, summary: SUMMARY }],
      isAdmin: true,
      now: NOW,
      sandbox: false,
    });
    const all = texts(view.blocks);
    expect(all.indexOf('AMIs and snapshots')).toBeGreaterThan(all.indexOf('bake'));
    expect(all.indexOf('AMIs and snapshots')).toBeLessThan(all.indexOf('/ami help'));
  });

  it('lists at most 20 deployments and says how many more', () => {
    const many = Array.from({ length: 25 }, (_, i) => ({
      deployment: `dep-${i}`,
      pricePerGbMonth: 0.05,
      summary: SUMMARY,
    }));
    const all = texts(homeAmiBlocks(many));
    expect(all).toContain('dep-19');
    expect(all).not.toContain('dep-20');
    expect(all).toContain('…and 5 more deployments.');
  });
});
