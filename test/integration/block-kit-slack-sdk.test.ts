import { beforeAll, describe, expect, it } from 'vitest';
import type { BakeRecord } from '../../src/bake/bake-record.js';
import { BAKE_STEPS, newStepTable } from '../../src/bake/bake-steps.js';
import { inventoryView } from '../../src/lifecycle/inventory-text.js';
import { planPrune } from '../../src/lifecycle/prune-plan.js';
import type { Block } from '../../src/ports/chat.js';
import type { AuditAction, AuditEntry } from '../../src/rollout/audit-record.js';
import type { ChangeRecord, ChangeStatus } from '../../src/rollout/change-record.js';
import { targetNoun } from '../../src/shared/target-noun.js';
import { text } from '../../src/shared/text.js';
import {
  announcementMessage,
  cancelledNoticeMessage,
  reminderMessage,
  userNoticeMessage,
} from '../../src/slack/blocks/announce-message.js';
import { applyResultMessage } from '../../src/slack/blocks/apply-result-message.js';
import { bakeListMessage } from '../../src/slack/blocks/bake-list.js';
import { amiReadyMessage, bakeRootMessage } from '../../src/slack/blocks/bake-message.js';
import { fullListMessages } from '../../src/slack/blocks/change-full-list.js';
import { changeMessage } from '../../src/slack/blocks/change-message.js';
import { historyMessage } from '../../src/slack/blocks/history-message.js';
import { homeView } from '../../src/slack/blocks/home-view.js';
import {
  imageFallbackMessage,
  imagePreviewFallbackMessage,
  imagePreviewMessage,
  imageSuggestionMessage,
} from '../../src/slack/blocks/image-suggestion-message.js';
import { imagesMessage } from '../../src/slack/blocks/images-message.js';
import { pruneMessage, pruneReportMessage } from '../../src/slack/blocks/prune-message.js';
import { reviewMessage, reviewReminderMessage } from '../../src/slack/blocks/review-message.js';
import { testMessage } from '../../src/slack/blocks/test-message.js';
import { helpMessage } from '../../src/slack/commands/command-table.js';
import {
  MAX_MESSAGE_BLOCKS,
  messageLimitProblems,
  type Payload,
  type Problem,
  validateBlockKit,
} from '../support/block-kit-validator.js';
import { blockKitProblems, sampleChange, sampleTest, T0, tierUpdates } from '../support/rollout-fixtures.js';
import { REVIEW_T0, sampleReport, sampleReview } from '../support/sample-review.js';
import { sampleSuggestion } from '../support/sample-suggestion.js';

/**
 * Every Block Kit payload the bot can post, built with maximal inputs (200+ tiers, long labels, notes and errors,
 * the most images a bake takes) and hostile text, checked by PyPI slack-sdk's models (Block.parse + validate_json,
 * View(...)) in one Python process, plus our own ≤ 50 blocks and ≤ 4,000-char text per message.
 */

const HOSTILE = '<!channel> <https://evil.example|approve here> <@U0BAD> & *bold*';
const long = (n: number, seed = 'x') => `${HOSTILE} ${seed.repeat(n)}`.slice(0, Math.max(n, HOSTILE.length));
const TZ = 'Europe/Berlin';
const NOW = new Date(T0.getTime() + 3_600_000);

function maxBake(overrides: Partial<BakeRecord> = {}): BakeRecord {
  const steps = newStepTable();
  for (const [i, step] of BAKE_STEPS.entries()) {
    steps[step] = {
      state: i < 5 ? 'done' : i === 5 ? 'failed' : 'pending',
      startedAt: T0,
      endedAt: NOW,
      summary: long(400, 's'),
    };
  }
  return {
    _id: 'bake-20261128-abcd',
    deployment: 'acme',
    requester: 'U0ADMIN01',
    channel: 'C0OPS00001',
    rootTs: '1700000000.000100',
    images: Array.from(
      { length: 50 },
      (_, i) => `registry.example.com:5000/team-${i}/very-long-image-name:${'t'.repeat(60)}`,
    ),
    noReboot: true,
    note: long(500, 'n'),
    status: 'running',
    steps,
    facts: {
      imageId: 'ami-0a1b2c3d4e5f60718',
      imageName: `domino-acme-executor-20261128-0900${'-x'.repeat(50)}`,
      instanceId: 'i-0123456789abcdef0',
    },
    error: { code: 'highstate_failed', message: long(3_000, 'e'), step: 'highstate' },
    sandbox: true,
    createdAt: T0,
    updatedAt: NOW,
    ...overrides,
  };
}

function maxChange(overrides: Partial<ChangeRecord> = {}): ChangeRecord {
  const updates = tierUpdates(240).map((t, i) => ({
    ...t,
    label: `${i % 10 === 0 ? HOSTILE : ''} ${long(150, 'l')}`,
    from: i % 7 === 0 ? '<https://evil|x>' : t.from,
  }));
  return sampleChange({
    updates,
    snapshot: updates.map(({ id, idType, label, executorImage }) => ({ id, idType, label, executorImage })),
    skipped: Array.from({ length: 120 }, (_, i) => ({
      id: `skip-${i}`,
      label: long(120, 'k'),
      executorImage: 'ami-0custom',
      reason: 'special' as const,
      detail: long(200, 'd'),
    })),
    unchanged: Array.from({ length: 150 }, (_, i) => ({ id: `same-${i}`, label: long(80, 'u') })),
    applyAt: new Date(T0.getTime() + 7_200_000),
    ...overrides,
  });
}

const instances = (n: number, state: string) =>
  Array.from({ length: n }, (_, i) => ({
    id: `i-${String(i).padStart(17, '0')}`,
    tierId: `tier-${i}`,
    imageId: 'ami-0f1e2d3c4b5a69788',
    state,
    name: long(100, 'v'),
  }));

function maxDrain(): ChangeRecord {
  return sampleChange({
    kind: 'drain',
    drainOf: 'chg-20261128-aaaa',
    updates: [],
    snapshot: [],
    drain: { targets: {}, stopped: instances(200, 'stopped'), running: instances(200, 'running') },
  });
}

const statuses: ChangeStatus[] = ['pending', 'approved', 'rejected', 'expired', 'applying', 'applied', 'failed'];
const decision = { outcome: 'approved' as const, by: 'U0APPROVER', at: T0 };

function resultFor(kind: 'applied' | 'failed', drain = false): ChangeRecord['result'] {
  return {
    status: kind,
    at: NOW,
    applied: Array.from({ length: 240 }, (_, i) => `tier-${i}`),
    conflicts: Array.from({ length: 150 }, (_, i) => ({
      id: `tier-${i}`,
      label: long(100, 'c'),
      expected: 'ami-0f1e2d3c4b5a69788',
      found: i % 2 ? '' : HOSTILE,
    })),
    verified: Array.from({ length: 200 }, (_, i) => `tier-${i}`),
    unverified: Array.from({ length: 200 }, (_, i) => `tier-${i}-${HOSTILE}`),
    ...(drain ? { skipped: Array.from({ length: 150 }, (_, i) => ({ id: `i-${i}`, detail: long(150, 'q') })) } : {}),
    ...(kind === 'failed' ? { error: long(3_000, 'f') } : {}),
  };
}

const AUDIT_ACTIONS: AuditAction[] = [
  'change.planned',
  'change.approved',
  'change.rejected',
  'change.expired',
  'change.applied',
  'change.apply-failed',
  'change.announced',
  'drain.listed',
  'drain.terminated',
  'test.tier-switched',
  'test.finished',
];

function auditEntries(n: number): AuditEntry[] {
  return Array.from({ length: n }, (_, i) => ({
    _id: `a-${i}`,
    at: T0,
    actor: i % 2 ? 'U0ADMIN01' : 'ami-bot',
    action: AUDIT_ACTIONS[i % AUDIT_ACTIONS.length]!,
    deployment: 'acme',
    changeId: 'chg-20261128-abcd',
    summary: long(400, 'h'),
    mentions: ['C0ANNOUNCE'],
    before: Object.fromEntries(Array.from({ length: 10 }, (_, k) => [`tier-${k}`, HOSTILE])),
    after: Object.fromEntries(Array.from({ length: 10 }, (_, k) => [`tier-${k}`, 'ami-0a1b2c3d4e5f60718'])),
  }));
}

type Message = { text: string; blocks?: Block[] };

/** A prune of 400 items and 100 kept AMIs, every line hostile and long. */
function maxPruneView() {
  const line = () => text`${long(400, 'p')}`;
  return {
    pruneId: 'prn-20261128-abcd',
    heading: text`Prune ${long(1_000, 'h')}`,
    retire: Array.from({ length: 400 }, line),
    kept: Array.from({ length: 100 }, line),
    status: text`${long(600, 's')}`,
    open: true,
  };
}

/** 300 AMIs with hostile names and labels, every reference kind, orphans of both kinds. */
function maxInventoryView() {
  const amis = Array.from({ length: 300 }, (_, i) => ({
    id: `ami-${String(i).padStart(17, '0')}`,
    name: long(120, 'n'),
    state: 'available' as const,
    createdAt: new Date(T0.getTime() - i * 86_400_000),
    bakeId: `bake-${i}`,
    snapshotIds: ['snap-1'],
    sizeGiB: 100,
    protection: { state: 'on' as const, cooldown: true },
    references: [
      { kind: 'tier' as const, tierId: 't', label: long(100, 'l') },
      { kind: 'executor' as const, instanceId: 'i-0123456789abcdef0', state: 'stopped' },
      { kind: 'change' as const, changeId: 'chg-20261128-abcd', role: 'revert' as const, status: 'applied' as const },
      { kind: 'test' as const, testId: 'test-20261128-abcd', role: 'under-test' as const },
    ],
    ...(i % 3 === 0 ? { orphan: long(200, 'o') } : {}),
  }));
  const orphanSnapshots = Array.from({ length: 100 }, (_, i) => ({
    id: `snap-${i}`,
    sizeGiB: 8,
    imageId: 'ami-0gone',
  }));
  const inventory = { deployment: 'acme', at: NOW, pricePerGbMonth: 0.05, amis, orphanSnapshots };
  return inventoryView(
    inventory,
    planPrune(inventory, {
      keepLast: 3,
      keepDays: 90,
      pricePerGbMonth: 0.05,
      recentChanges: 5,
      protectWithCooldown: true,
    }),
  );
}

function everyPayload(): Payload[] {
  const out: Payload[] = [];
  const message = (id: string, m: Message) => out.push({ id, kind: 'message', message: m });

  // Bakes: every status, with and without a cancel, the biggest record the bot can hold.
  for (const status of ['running', 'compensating', 'succeeded', 'failed', 'cancelled'] as const) {
    message(`bake root ${status}`, bakeRootMessage(maxBake({ status }), NOW, { sandbox: true }));
    message(
      `bake root ${status} cancelled`,
      bakeRootMessage(
        maxBake({ status, error: { code: 'cancelled', message: 'x' }, cancelRequested: { by: 'U0BOB', at: T0 } }),
        NOW,
        { sandbox: false },
      ),
    );
  }
  message(
    'bake root containerd, provisioning skipped',
    bakeRootMessage(
      maxBake({
        runtimeChoice: 'auto',
        provision: { script: `/opt/${'p'.repeat(240)}.sh` },
        facts: { containerRuntime: 'ctr', instanceId: 'i-0123456789abcdef0' },
        steps: {
          ...maxBake().steps,
          prune: { state: 'skipped', startedAt: T0, endedAt: NOW, summary: long(400, 'k') },
          highstate: { state: 'skipped', startedAt: T0, endedAt: NOW, summary: long(400, 'k') },
        },
      }),
      NOW,
      { sandbox: false },
    ),
  );
  message(
    'bake root minimal',
    bakeRootMessage(maxBake({ images: ['a:1'], facts: {}, note: '' }), NOW, { sandbox: false }),
  );
  const bakes = Array.from({ length: 10 }, (_, i) => maxBake({ _id: `bake-20261128-${i}abc`, status: 'failed' }));
  message('bake list', bakeListMessage(bakes, NOW));
  message('bake list empty', bakeListMessage([], NOW));
  message('ami images', imagesMessage(maxInventoryView()));
  for (const open of [true, false]) message(`prune plan ${open}`, pruneMessage({ ...maxPruneView(), open }));
  message(
    'prune report',
    pruneReportMessage({
      heading: text`Prune applied ${long(500)}`,
      lines: Array.from({ length: 400 }, () => text`${long(300)}`),
    }),
  );
  message(
    'ami images empty',
    imagesMessage({ heading: text`AMIs of acme: 0 AMIs`, amis: [], orphans: [], note: text`x` }),
  );
  message(
    'ami ready',
    amiReadyMessage({ bakeId: 'bake-20261128-abcd', imageId: 'ami-0a', imageName: long(200), testTier: long(100) }),
  );
  message('help', helpMessage());
  // Image suggestions: 200 chosen and 200 left out with long hostile references, and the fallback.
  const many = (n: number, seed: string) =>
    Array.from({ length: n }, (_, i) => `registry.example.com:5000/${seed}-${i}/${long(80, seed)}:${'t'.repeat(60)}`);
  const big = sampleSuggestion();
  message('image suggestion', imageSuggestionMessage(big));
  message(
    'image suggestion max',
    imageSuggestionMessage({
      ...big,
      deployment: long(200, 'd'),
      chosen: many(200, 'c').map((ref) => ({ ...big.chosen[1]!, ref })),
      leftOut: many(200, 'l').map((ref, i) => ({ ...big.leftOut[i % 3]!, ref })),
      diff: { added: many(200, 'a'), removed: many(200, 'r'), kept: many(200, 'k') },
    }),
  );
  message('image suggestion minimal', imageSuggestionMessage({ ...big, chosen: [], leftOut: [], diff: undefined }));
  message('image fallback', imageFallbackMessage(text`${long(3_000, 'e')}`, many(50, 'f')));
  message('image preview', imagePreviewMessage(big));
  message('image preview fallback', imagePreviewFallbackMessage('acme', text`${long(3_000, 'e')}`, many(50, 'f')));
  message('image preview fallback, nothing configured', imagePreviewFallbackMessage('acme', text`down`, []));
  message('help unknown word', helpMessage(`:thinking_face: \`${'w'.repeat(40)}\` is not an ami-bot command.`));
  for (const isAdmin of [true, false])
    for (const sandbox of [true, false])
      out.push({
        id: `home ${isAdmin} ${sandbox}`,
        kind: 'view',
        view: homeView({ bakes, isAdmin, now: NOW, sandbox }),
      });
  out.push({
    id: 'home with AMIs max',
    kind: 'view',
    view: homeView({
      bakes,
      isAdmin: true,
      now: NOW,
      sandbox: true,
      amis: Array.from({ length: 25 }, (_, i) => ({
        deployment: `${long(50, 'd')}${i}`,
        pricePerGbMonth: 0.05 + i,
        ...(i % 2 === 0
          ? { note: long(3_000, '<n>') }
          : {
              summary: {
                amis: 9_999,
                snapshotGiB: 999_999,
                monthlyCostUsd: 49_999.95,
                retirable: 9_999,
                orphanImages: 999,
                orphanSnapshots: 999,
              },
            }),
      })),
    }),
  });

  // Changes: every kind and status, 240 tiers with long and hostile labels.
  for (const status of statuses) {
    const withResult = status === 'applied' || status === 'failed';
    for (const [kind, change] of [
      ['rollout', maxChange({ status, decision, ...(withResult ? { result: resultFor(status) } : {}) })],
      ['revert', maxChange({ kind: 'revert', revertOf: 'chg-20261128-aaaa', status, decision })],
      ['drain', { ...maxDrain(), status, decision, ...(withResult ? { result: resultFor(status, true) } : {}) }],
    ] as const) {
      message(`change ${kind} ${status}`, changeMessage(change, NOW, { timeZone: TZ, sandbox: true }));
      message(
        `change ${kind} ${status} expired`,
        changeMessage(change, new Date(T0.getTime() + 48 * 3_600_000), { timeZone: TZ }),
      );
    }
  }
  // An EKS change: node groups with long hostile labels, in the words of the kind.
  const eks = targetNoun('eks-node-groups');
  const eksChange = (overrides: Partial<ChangeRecord> = {}) => {
    const base = maxChange(overrides);
    const updates = base.updates.map((u, i) => ({
      ...u,
      key: `nodegroup:acme/${u.label}`,
      guard: `lt-${String(i).padStart(17, '0')}:7`,
    }));
    return { ...base, updates };
  };
  for (const status of statuses) {
    const withResult = status === 'applied' || status === 'failed';
    const change = eksChange({ status, decision, ...(withResult ? { result: resultFor(status) } : {}) });
    message(`eks change ${status}`, changeMessage(change, NOW, { timeZone: TZ, noun: eks }));
  }
  for (const kind of ['applied', 'failed'] as const) {
    message(`eks apply result ${kind}`, applyResultMessage(eksChange({ status: kind, result: resultFor(kind) }), eks));
  }
  message('eks announcement', announcementMessage(eksChange(), TZ, eks));
  message('eks reminder', reminderMessage(eksChange(), TZ, eks));
  out.push({
    id: 'eks home',
    kind: 'view',
    view: homeView({ bakes, isAdmin: true, now: NOW, sandbox: false, kinds: ['eks-node-groups'] }),
  });
  for (const [i, m] of fullListMessages(maxChange()).entries()) message(`full list rollout ${i}`, m);
  for (const [i, m] of fullListMessages(maxDrain()).entries()) message(`full list drain ${i}`, m);
  for (const kind of ['applied', 'failed'] as const) {
    message(`apply result ${kind}`, applyResultMessage(maxChange({ status: kind, result: resultFor(kind) })));
    message(`apply result drain ${kind}`, applyResultMessage({ ...maxDrain(), result: resultFor(kind, true) }));
  }
  message('apply result none', applyResultMessage(maxChange()));
  message('announcement', announcementMessage(maxChange(), TZ));
  message(
    'announcement revert now',
    announcementMessage(maxChange({ kind: 'revert', revertOf: 'chg-x', applyAt: undefined }), TZ),
  );
  message(
    'user notice',
    userNoticeMessage(
      maxChange(),
      maxChange().updates.map((t) => t.label),
      TZ,
    ),
  );
  message('reminder', reminderMessage(maxChange(), TZ));
  message('cancelled notice', cancelledNoticeMessage(maxChange({ status: 'rejected' })));
  message('history', historyMessage(auditEntries(100), TZ));
  message('history empty', historyMessage([], TZ));

  // AMI tests: running with stale executors and a cancel asked, and every end state.
  const seconds = { Queued: 12, Pulling: 3, Preparing: 20, Running: 5, Weird: 1 };
  for (const status of ['running', 'passed', 'failed', 'cancelled', 'error'] as const) {
    const test = sampleTest({
      status,
      tierLabel: long(200, 't'),
      tierId: long(80, 'i'),
      amiName: long(200, 'a'),
      jobId: 'job-1',
      lastStatus: long(100, 'z'),
      reason: long(2_000, 'r'),
      seconds,
      statesSeen: [...Object.keys(seconds), ...Array.from({ length: 30 }, (_, i) => `State${i}`)],
      toRunningSeconds: 40,
      staleExecutors: instances(30, 'running'),
      cancelRequested: { by: 'U0BOB', at: T0 },
    });
    message(`test ${status}`, testMessage(test, sampleTest({ status: 'passed', seconds })));
    message(`test ${status} plain`, testMessage(sampleTest({ status })));
  }

  // Reviews: every status, 220 tiers, long environment names and images.
  const tiers = Array.from({ length: 220 }, (_, i) => ({
    tierId: `tier-${i}`,
    label: `${i % 5 ? '' : HOSTILE} ${long(120, 'g')}`,
    amiId: `ami-0${(i % 40).toString(16).padStart(16, '0')}`,
    amiName: long(120, 'm'),
    ageDays: i,
    kind: i % 3 ? ('standard' as const) : ('special' as const),
    why: i % 3 ? 'pipeline AMI name' : 'custom AMI',
  }));
  const environments = Array.from({ length: 150 }, (_, i) => ({
    environment: long(150, 'e'),
    image: `registry.example.com/${HOSTILE}/env-${i}:${'v'.repeat(80)}`,
    runs: i,
    ...(i % 3 === 0 ? { cached: false } : i % 3 === 1 ? { cached: true } : {}),
  }));
  const suggestion = sampleSuggestion();
  const report = sampleReport({
    tiers,
    environments,
    bakeImages: Array.from({ length: 50 }, (_, i) => `quay.io/x/y-${i}:1`),
    suggestedImages: {
      ...suggestion,
      chosen: many(200, 'c').map((ref) => ({ ...suggestion.chosen[1]!, ref })),
      leftOut: many(200, 'l').map((ref, i) => ({ ...suggestion.leftOut[i % 3]!, ref })),
    },
  });
  const reviews = [
    sampleReview({ report }),
    sampleReview({ report, trigger: 'command', requestedBy: 'U0ADMIN01' }),
    sampleReview({ report, trigger: 'catch-up', snoozed: { by: 'U0ADMIN01', at: REVIEW_T0, until: NOW } }),
    sampleReview({ report, status: 'reviewed', reviewed: { by: 'U0ADMIN01', at: REVIEW_T0 } }),
    sampleReview({ report, status: 'bake-started', bake: { by: 'U0ADMIN01', at: REVIEW_T0, bakeId: 'bake-1' } }),
    sampleReview({ report, status: 'superseded' }),
    sampleReview({
      report: sampleReport({
        tiers: undefined,
        tiersNote: long(2_000, 'o'),
        environments: undefined,
        environmentsNote: long(2_000, 'p'),
        suggestedImagesNote: long(2_000, 's'),
        latestBake: undefined,
        lastTest: undefined,
      }),
    }),
  ] as const;
  for (const [i, review] of reviews.entries()) {
    message(`review ${i} ${review.status}`, reviewMessage(review));
    message(`review reminder ${i}`, reviewReminderMessage(review, 3, 'https://acme.slack.com/archives/C0/p1'));
  }
  return out;
}

function mrkdwnTexts(value: unknown, out: string[] = []): string[] {
  if (Array.isArray(value)) for (const v of value) mrkdwnTexts(v, out);
  else if (value && typeof value === 'object') {
    const object = value as Record<string, unknown>;
    if (object.type === 'plain_text') return out;
    for (const [key, v] of Object.entries(object)) {
      if (key === 'text' && typeof v === 'string') out.push(v);
      else mrkdwnTexts(v, out);
    }
  }
  return out;
}

let payloads: Payload[];
let problems: Problem[];

beforeAll(async () => {
  payloads = everyPayload();
  problems = await validateBlockKit(payloads);
}, 300_000);

describe('Block Kit checked by slack-sdk', () => {
  it('covers every builder with maximal inputs', () => {
    expect(payloads.length).toBeGreaterThan(100);
    // The maximal fixtures really are big: the builders had to cut, not the fixtures.
    const change = payloads.find((p) => p.id === 'change rollout pending');
    expect(change?.kind === 'message' && JSON.stringify(change.message.blocks).length).toBeGreaterThan(5_000);
  });

  it('finds no problem in any payload', () => {
    expect(problems).toEqual([]);
  });

  it('passes the home-made limits too (context elements ≤ 2,000 chars, ~12k chars of blocks)', () => {
    const found = payloads.flatMap((p) =>
      p.kind === 'message' ? blockKitProblems(p.message).map((problem) => `${p.id}: ${problem}`) : [],
    );
    expect(found).toEqual([]);
  });

  it('the validator does catch what Slack refuses (it is not a no-op)', async () => {
    const bad = await validateBlockKit([
      {
        id: 'long section',
        kind: 'message',
        message: { text: 'x', blocks: [{ type: 'section', text: { type: 'mrkdwn', text: 'x'.repeat(3_001) } }] },
      },
      {
        id: 'unknown type',
        kind: 'message',
        message: { text: 'x', blocks: [{ type: 'fancy' }] as unknown as Block[] },
      },
      {
        id: 'misspelt field',
        kind: 'message',
        message: { text: 'x', blocks: [{ type: 'divider', blockid: 'a' }] as unknown as Block[] },
      },
      {
        id: 'long header',
        kind: 'message',
        message: { text: 'x', blocks: [{ type: 'header', text: { type: 'plain_text', text: 'h'.repeat(151) } }] },
      },
      {
        id: 'too many blocks',
        kind: 'message',
        message: { text: 'x', blocks: Array.from({ length: MAX_MESSAGE_BLOCKS + 1 }, () => ({ type: 'divider' })) },
      },
      { id: 'long text', kind: 'message', message: { text: 't'.repeat(4_001) } },
      {
        id: 'big view',
        kind: 'view',
        view: { type: 'home', blocks: Array.from({ length: 101 }, () => ({ type: 'divider' })) },
      },
    ]);
    const ids = new Set(bad.map((p) => p.id));
    for (const id of [
      'long section',
      'unknown type',
      'misspelt field',
      'long header',
      'too many blocks',
      'long text',
      'big view',
    ])
      expect(ids, id).toContain(id);
    expect(messageLimitProblems('ok', { text: 'fine', blocks: [] })).toEqual([]);
  });

  it('no outside text reaches mrkdwn unescaped in any payload', () => {
    const leaks = payloads.flatMap((p) => {
      // What Slack reads as mrkdwn: message text and every text but plain_text ones (which render no markup).
      const json = JSON.stringify(mrkdwnTexts(p.kind === 'view' ? p.view : p.message));
      return ['<!channel>', '<https://evil', '<@U0BAD>']
        .filter((bad) => json.includes(bad))
        .map((bad) => `${p.id}: …${json.slice(Math.max(0, json.indexOf(bad) - 80), json.indexOf(bad) + 40)}…`);
    });
    expect(leaks).toEqual([]);
    expect(JSON.stringify(payloads)).toContain('<@U0BOB>'); // our own mentions still render
  });
});
