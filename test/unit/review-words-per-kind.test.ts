// The review of an EKS deployment lists its node groups by AMI (not Domino's tiers, which carry no AMI there) and
// names node groups, node AMIs and nodes; a hardware-tier deployment's review reads exactly as before.
import { describe, expect, it } from 'vitest';
import { createMemoryStateStore } from '../../src/adapters/memory/memory-state-store.js';
import { BAKE_ID_TAG, CREATED_BY_TAG, CREATED_BY_VALUE, DEPLOYMENT_TAG } from '../../src/bake/image-tags.js';
import { configSchema } from '../../src/config-schema.js';
import { AppError } from '../../src/errors.js';
import type { Block } from '../../src/ports/chat.js';
import type { DominoTiersPort } from '../../src/ports/domino.js';
import { gatherReport, type ReportSources } from '../../src/review/gather-report.js';
import type { ReviewTarget, TierAmiLine } from '../../src/review/review-report.js';
import { createSilentLogger } from '../../src/shared/logger.js';
import { createFaults } from '../../src/sim/faults.js';
import { createManualClock } from '../../src/sim/manual-clock.js';
import { addImage } from '../../src/sim/seed-demo-world.js';
import { createSimEc2 } from '../../src/sim/sim-ec2.js';
import { createSimWorld } from '../../src/sim/sim-world.js';
import { reviewMessage } from '../../src/slack/blocks/review-message.js';
import { sampleReport, sampleReview } from '../support/sample-review.js';

const config = configSchema.parse({
  slack: { botToken: 'xoxb-test' },
  mongo: {},
  opsChannels: ['C0OPS00001'],
  admins: ['U0ADMIN01'],
  deployments: [
    { name: 'acme', images: ['a:1'] },
    {
      name: 'k8s',
      kind: 'eks-node-groups',
      images: ['a:1'],
      pinnedTiers: ['legacy-a'],
      eks: { cluster: 'domino-k8s', nodePools: ['default', 'gpu'] },
    },
  ],
});
const [tiersDeployment, eksDeployment] = config.deployments as [
  (typeof config.deployments)[number],
  (typeof config.deployments)[number],
];

const clock = createManualClock(new Date('2026-10-01T07:00:00Z'));
const DAY_MS = 86_400_000;

function world() {
  const w = createSimWorld();
  const ours = addImage(
    w,
    'domino-k8s-default-node-20260815-0900',
    Date.parse('2026-08-16T07:00:00Z'),
    {
      [CREATED_BY_TAG]: CREATED_BY_VALUE,
      [BAKE_ID_TAG]: 'bake-20260815-k3m9',
      [DEPLOYMENT_TAG]: 'k8s',
    },
    [],
  );
  const gpu = addImage(w, 'eks-gpu-node-custom', clock.now().getTime() - 300 * DAY_MS, {}, []);
  return { w, ours, gpu };
}

/** Domino's tiers as a Domino 4+ deployment keeps them: no executorImage (their AMI is the node groups'). */
const dominoTiers: DominoTiersPort = {
  listTiers: async () => [{ id: 'small-k8s', idType: 'string', label: 'Small', executorImage: '' }],
} as unknown as DominoTiersPort;

function sources(w: ReturnType<typeof world>['w'], targets?: ReportSources['targets']): ReportSources {
  return {
    config,
    store: createMemoryStateStore(),
    ec2: createSimEc2(w, clock, createFaults([])),
    clock,
    logger: createSilentLogger(),
    tiers: dominoTiers,
    ...(targets ? { targets } : {}),
  };
}

const sectionTexts = (blocks: Block[]) =>
  blocks.flatMap((b) => (b.type === 'section' ? [String((b.text as { text: string }).text)] : []));
const confirmText = (blocks: Block[]) => {
  const actions = blocks.find((b) => b.type === 'actions') as { elements: Array<{ confirm?: unknown }> };
  return JSON.stringify(actions.elements[0]?.confirm);
};

describe('the review report of an EKS deployment', () => {
  it('lists the node groups by the AMI their launch template names, each standard or special as the rollout sees it', async () => {
    const { w, ours, gpu } = world();
    const nodegroups: ReviewTarget[] = [
      { id: 'default-a', label: 'default-a (pool default)', ami: ours.id },
      { id: 'gpu-a', label: 'gpu-a (pool gpu)', ami: gpu.id },
      { id: 'legacy-a', label: 'legacy-a (pool legacy)', ami: ours.id },
      {
        id: 'platform',
        label: 'platform (pool platform)',
        ami: '',
        special: 'has no launch template: EKS chooses its AMI',
      },
    ];
    const asked: string[] = [];
    const report = await gatherReport(
      sources(w, async (deployment) => {
        asked.push(deployment.name);
        return nodegroups;
      }),
      eksDeployment,
    );
    expect(asked).toEqual(['k8s']);
    expect(report.kind).toBe('eks-node-groups');
    const line = (id: string) => report.tiers?.find((t) => t.tierId === id);
    expect(line('default-a')).toMatchObject({ amiId: ours.id, kind: 'standard', why: 'ami-bot tags', ageDays: 46 });
    expect(line('gpu-a')).toMatchObject({ amiId: gpu.id, kind: 'special', why: 'custom AMI', ageDays: 300 });
    expect(line('legacy-a')).toMatchObject({ kind: 'special', why: 'pinned in config' });
    expect(line('platform')).toMatchObject({
      amiId: '',
      kind: 'special',
      why: 'has no launch template: EKS chooses its AMI',
    });
    // Domino's tiers (no executorImage on Domino 4+) are not what the EKS review lists.
    expect(report.tiers?.map((t) => t.tierId)).not.toContain('small-k8s');
  });

  it('says so when ami-bot has no EKS access or EKS cannot be read; a tiers deployment still reads Domino’s tiers', async () => {
    const { w } = world();
    const none = await gatherReport(sources(w), eksDeployment);
    expect(none.tiers).toBeUndefined();
    expect(none.tiersNote).toBe('EKS node groups are not configured (no EKS access for ami-bot).');
    const failing = await gatherReport(
      sources(w, async () => Promise.reject(new AppError('aws_denied', 'AWS denied eks:ListNodegroups.'))),
      eksDeployment,
    );
    expect(failing.tiersNote).toBe('Could not read the EKS node groups: AWS denied eks:ListNodegroups.');
    const tiers = await gatherReport(
      sources(w, async () => {
        throw new Error('a tiers deployment never asks EKS');
      }),
      tiersDeployment,
    );
    expect(tiers.kind).toBe('hardware-tiers');
    expect(tiers.tiers?.map((t) => t.tierId)).toEqual(['small-k8s']);
    expect(tiers.tiersNote).toBeUndefined();
  });
});

const nodegroupLines = (): TierAmiLine[] => [
  {
    tierId: 'default-a',
    label: 'default-a (pool default)',
    amiId: 'ami-0current',
    amiName: 'domino-k8s-default-node-20260815-0900',
    ageDays: 47,
    kind: 'standard',
    why: 'ami-bot tags',
  },
  {
    tierId: 'compute-a',
    label: 'compute-a (pool compute)',
    amiId: 'ami-0current',
    amiName: 'domino-k8s-default-node-20260815-0900',
    ageDays: 47,
    kind: 'standard',
    why: 'ami-bot tags',
  },
  { tierId: 'platform', label: 'platform (pool platform)', amiId: '', kind: 'special', why: 'has no launch template' },
];

describe('the review message, words per kind side by side', () => {
  const tiers = reviewMessage(sampleReview());
  const eks = reviewMessage(
    sampleReview({
      report: sampleReport({
        kind: 'eks-node-groups',
        tiers: nodegroupLines(),
        latestBake: { ...sampleReport().latestBake!, imageName: 'domino-k8s-default-node-20260815-0900' },
      }),
    }),
  );
  const tiersText = sectionTexts(tiers.blocks).join('\n');
  const eksText = sectionTexts(eks.blocks).join('\n');

  it('the intro names the AMIs as the deployment calls them: executor AMIs on tiers, node AMIs on EKS', () => {
    expect(tiersText).toContain("Time for the quarterly review of *acme*'s executor AMIs (scheduled for");
    expect(eksText).toContain("Time for the quarterly review of *acme*'s node AMIs (scheduled for");
  });

  it('the summary and the table count tiers on tiers, node groups on EKS', () => {
    expect(tiersText).toContain('5 tiers: 3 standard, 2 special');
    expect(tiersText).toContain('*Hardware tiers by AMI* (5 tiers on 3 AMIs)');
    expect(tiers.text).toContain('AMI review of acme: 5 tiers');
    expect(eksText).toContain('3 node groups: 2 standard, 1 special');
    // The node group on an AMI EKS chooses counts as a node group, not as an AMI.
    expect(eksText).toContain('*Node groups by AMI* (3 node groups on 1 AMI)');
    expect(eksText).toContain(
      '• `ami-0current` `domino-k8s-default-node-20260815-0900` — 47 days old, *standard* (ami-bot tags): default-a (pool default), compute-a (pool compute)',
    );
    expect(eksText).toContain(
      '• no AMI id — age unknown, *special* (has no launch template): platform (pool platform)',
    );
    expect(eks.text).toContain('AMI review of acme: 3 node groups');
    expect(eksText).not.toMatch(/\btiers?\b/);
  });

  it('the notes without targets name the kind’s targets', () => {
    const note = (kind: 'hardware-tiers' | 'eks-node-groups' | undefined, tiersNote: string) =>
      sectionTexts(
        reviewMessage(
          sampleReview({ report: sampleReport({ ...(kind ? { kind } : {}), tiers: undefined, tiersNote }) }),
        ).blocks,
      ).join('\n');
    expect(note(undefined, 'Not configured.')).toContain('*Hardware tiers*\nNot configured.');
    expect(note('hardware-tiers', 'Not configured.')).toContain('*Hardware tiers*\nNot configured.');
    expect(note('eks-node-groups', 'Not configured.')).toContain('*Node groups*\nNot configured.');
    const empty = (kind: 'hardware-tiers' | 'eks-node-groups') =>
      sectionTexts(reviewMessage(sampleReview({ report: sampleReport({ kind, tiers: [] }) })).blocks).join('\n');
    expect(empty('hardware-tiers')).toContain('*Hardware tiers*\nNo hardware tiers found.');
    expect(empty('eks-node-groups')).toContain('*Node groups*\nNo node groups found.');
  });

  it('the advice and the Start bake confirmation speak of executors on tiers, of nodes on EKS', () => {
    expect(tiersText).toContain('layers they share are then already on every new executor.');
    expect(eksText).toContain('layers they share are then already on every new node.');
    expect(confirmText(tiers.blocks)).toContain('Bake a new executor AMI of acme with its 2 configured images');
    expect(confirmText(eks.blocks)).toContain('Bake a new node AMI of acme with its 2 configured images');
    expect(`${eksText}${confirmText(eks.blocks)}`).not.toContain('executor');
  });
});
