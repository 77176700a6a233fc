import { describe, expect, it } from 'vitest';
import { configSchema } from '../../src/config-schema.js';
import type { Inventory, InventoryAmi } from '../../src/lifecycle/ami-inventory.js';
import { inventoryView } from '../../src/lifecycle/inventory-text.js';
import { planPrune } from '../../src/lifecycle/prune-plan.js';
import { imagesMessage } from '../../src/slack/blocks/images-message.js';
import { blockKitProblems } from '../support/rollout-fixtures.js';

const NOW = new Date('2027-01-01T00:00:00Z');
const DAY = 86_400_000;
const HOSTILE = '<!channel> <https://evil.example|approve> *bold*';
const retention = configSchema.parse({
  slack: { botToken: 'xoxb-test' },
  mongo: {},
  opsChannels: ['C0OPS00001'],
  admins: ['U0ADMIN01'],
  deployments: [{ name: 'acme', retention: { keepLast: 2, keepDays: 30 } }],
}).deployments[0]!.retention;

function ami(n: number, ageDays: number, over: Partial<InventoryAmi> = {}): InventoryAmi {
  return {
    id: `ami-${String(n).padStart(17, '0')}`,
    name: `domino-acme-executor-${n}`,
    state: 'available',
    createdAt: new Date(NOW.getTime() - ageDays * DAY),
    bakeId: `bake-${n}`,
    snapshotIds: [`snap-${n}`],
    sizeGiB: 100,
    protection: { state: 'off' },
    references: [],
    ...over,
  };
}

function inventory(amis: InventoryAmi[], orphans = true): Inventory {
  return {
    deployment: 'acme',
    at: NOW,
    pricePerGbMonth: 0.05,
    amis,
    orphanSnapshots: orphans ? [{ id: 'snap-0orphan', sizeGiB: 8, imageId: 'ami-0gone' }] : [],
  };
}

const render = (inv: Inventory) => imagesMessage(inventoryView(inv, planPrune(inv, retention)));
const allText = (message: ReturnType<typeof render>) =>
  JSON.stringify(message.blocks.map((b) => ('text' in b ? b.text : 'elements' in b ? b.elements : '')));

describe('/ami images message', () => {
  it('shows each AMI with age, size, cost estimate, references, protection and what the policy would do', () => {
    const inv = inventory([
      ami(3, 1, {
        references: [{ kind: 'tier', tierId: 'small', label: 'Small' }],
        protection: { state: 'on', cooldown: true },
      }),
      ami(2, 10),
      ami(1, 400, { references: [{ kind: 'executor', instanceId: 'i-0abc', state: 'stopped' }] }),
      ami(0, 500),
    ]);
    const message = render(inv);
    const shown = allText(message);
    expect(message.text).toContain('AMIs of acme: 4 AMIs, 408 GiB of snapshots, ~$20.40/month (estimate)');
    expect(message.text).toContain('would retire 1 AMI');
    expect(shown).toContain('1 d, 100 GiB, ~$5.00/month, protected (24 h cooldown); used by tier Small; kept: in use');
    expect(shown).toContain('used by stopped instance `i-0abc`; kept: in use');
    expect(shown).toContain('10 d, 100 GiB, ~$5.00/month; not in use; kept: newest 2 of the last 2');
    expect(shown).toContain('500 d, 100 GiB, ~$5.00/month; not in use; would be retired: superseded');
    expect(shown).toContain('Orphan sweep: 0 images and 1 snapshot no record explains');
    expect(shown).toContain('snapshot `snap-0orphan`, 8 GiB: its image `ami-0gone` is gone');
    expect(shown).toContain('Cost is an estimate');
    expect(blockKitProblems(message)).toEqual([]);
  });

  it('says "0 orphans" when every tagged image and snapshot is explained', () => {
    expect(allText(render(inventory([ami(1, 1)], false)))).toContain('Orphan sweep: 0 orphans');
    expect(allText(render(inventory([], false)))).toContain('No AMI of this deployment');
  });

  it('escapes outside text (AMI names, tier labels) and stays within Block Kit limits for 300 AMIs', () => {
    const many = Array.from({ length: 300 }, (_, i) =>
      ami(i, i, {
        name: `${HOSTILE} ${i}`,
        references: [{ kind: 'tier', tierId: 't', label: HOSTILE }],
        orphan: i % 50 === 0 ? HOSTILE : undefined,
      } as Partial<InventoryAmi>),
    );
    const message = render(inventory(many));
    const shown = allText(message);
    expect(shown).not.toContain('<!channel>');
    expect(shown).not.toContain('<https://evil.example');
    expect(shown).toContain('&lt;!channel&gt;');
    expect(shown).toMatch(/…and \d+ more AMIs\./);
    expect(blockKitProblems(message)).toEqual([]);
  });
});
