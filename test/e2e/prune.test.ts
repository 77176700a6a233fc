// `/ami prune` through the real Bolt app: the plan is posted with Approve / Reject, the requester cannot approve
// it, a click on another message is refused, a second admin approves, and the apply reports per item in the
// thread: the superseded AMI and its snapshots are gone, the newest and everything in use stay.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BakeRecord } from '../../src/bake/bake-record.js';
import { bakeImageTags } from '../../src/bake/image-tags.js';
import { ACTION_IDS } from '../../src/slack/action-ids.js';
import { ADMIN, ADMIN2, type Harness, startHarness } from '../support/bot-harness.js';

const DAY = 86_400_000;

async function bakedImage(h: Harness, n: number, ageDays: number): Promise<string> {
  const at = new Date(h.clock.now().getTime() - ageDays * DAY);
  const id = `ami-0${String(n).padStart(16, '0')}`;
  const bake = {
    _id: `bake-20260101-${String(n).padStart(4, '0')}`,
    deployment: 'acme',
    requester: ADMIN,
    channel: 'C0OPS00001',
    images: [],
    noReboot: true,
    status: 'succeeded',
    steps: {},
    facts: { imageId: id, imageName: `domino-acme-executor-${n}`, instanceId: 'i-0template' },
    createdAt: at,
    updatedAt: at,
  } as BakeRecord;
  await h.store.bakes.insert(bake);
  const tags = bakeImageTags(bake);
  const snapshotId = `snap-0${String(n).padStart(16, '0')}`;
  h.world.snapshots.set(snapshotId, {
    id: snapshotId,
    imageId: id,
    state: 'completed',
    startMs: at.getTime(),
    completeMs: at.getTime(),
    tags,
    sizeGiB: 50,
  });
  h.world.images.set(id, {
    id,
    name: bake.facts.imageName!,
    description: '',
    state: 'available',
    creationMs: at.getTime(),
    tags,
    snapshotIds: [snapshotId],
    blockDeviceNames: ['/dev/xvda'],
    dockerImages: new Map(),
    fs: { files: new Map() } as never,
  });
  return id;
}

describe('/ami prune through signed Slack requests', () => {
  let h: Harness;
  let old: string;
  let newest: string;
  beforeAll(async () => {
    h = await startHarness({
      domino: true,
      memoryState: true,
      tweak: (config) => {
        config.deployments[0]!.retention = { ...config.deployments[0]!.retention, keepLast: 1, keepDays: 30 };
      },
    });
    old = await bakedImage(h, 1, 200);
    newest = await bakedImage(h, 2, 100);
  });
  afterAll(async () => {
    await h.close();
  });

  it('posts the plan for approval; only a second person approves; the apply reports per item', async () => {
    await h.slash('prune acme', { responseId: 'prune1' });
    expect(await h.answer('prune1')).toMatch(
      /Prune prn-\d{8}-[a-z0-9]{4} planned: 1 AMI and 0 orphaned snapshots to retire/,
    );
    const posted = h.fake
      .callsTo('chat.postMessage')
      .find((c) => JSON.stringify(c.args.blocks).includes('ami_prune_approve'));
    const pruneId = /prn-\d{8}-[a-z0-9]{4}/.exec(JSON.stringify(posted?.args.blocks))![0];
    expect(JSON.stringify(posted?.args.blocks)).toContain(old);

    await h.click(ACTION_IDS.pruneApprove, pruneId, { userId: ADMIN, responseId: 'self' });
    expect(await h.answer('self')).toContain('cannot also approve');
    await h.click(ACTION_IDS.pruneApprove, pruneId, {
      userId: ADMIN2,
      messageTs: '1700000000.999999',
      responseId: 'copy',
    });
    expect(await h.answer('copy')).toContain('not on prune');
    expect(h.world.images.has(old)).toBe(true);

    await h.click(ACTION_IDS.pruneApprove, pruneId, { userId: ADMIN2, responseId: 'ok' });
    expect(await h.answer('ok')).toContain('approved');
    const report = await h.fake.waitFor(
      (c) =>
        c.method === 'chat.postMessage' && String(c.args.text ?? '').includes(pruneId) && Boolean(c.args.thread_ts),
    );
    expect(String(report.args.text)).toContain('applied: 1 AMI retired, 1 snapshot deleted');
    expect(h.world.images.has(old)).toBe(false);
    expect(h.world.snapshots.has('snap-00000000000000001')).toBe(false);
    expect(h.world.images.has(newest)).toBe(true);
    await h.click(ACTION_IDS.pruneApprove, pruneId, { userId: ADMIN2, responseId: 'again' });
    expect(await h.answer('again')).toContain('already approved');
    // Finished: the next /ami prune plans anew (nothing left to retire), it does not resume the old one.
    await h.slash('prune acme', { responseId: 'prune2' });
    expect(await h.answer('prune2')).toMatch(/planned: 0 AMIs and 0 orphaned snapshots to retire/);
  });

  it('resumes an approved prune that did not finish instead of planning another', async () => {
    const waiting = await bakedImage(h, 3, 300);
    h.world.images.get(waiting)!.protectedUntilMs = h.clock.now().getTime() + 3_600_000;
    await h.slash('prune acme', { responseId: 'p3' });
    const text = await h.answer('p3');
    const pruneId = /prn-\d{8}-[a-z0-9]{4}/.exec(text)![0];
    await h.click(ACTION_IDS.pruneApprove, pruneId, { userId: ADMIN2, responseId: 'p3ok' });
    expect(await h.answer('p3ok')).toContain('approved');
    const partial = await h.fake.waitFor(
      (c) => c.method === 'chat.postMessage' && String(c.args.text ?? '').includes(`${pruneId}\` partly applied`),
    );
    expect(partial.args.thread_ts).toBeDefined();
    expect(h.world.images.has(waiting)).toBe(true);
    delete h.world.images.get(waiting)!.protectedUntilMs;
    await h.slash('prune acme', { responseId: 'p4' });
    expect(await h.answer('p4')).toContain(`Prune ${pruneId} was approved and is not finished: resuming it`);
    await h.fake.waitFor(
      (c) =>
        c.method === 'chat.postMessage' && String(c.args.text ?? '').includes(`${pruneId}\` applied: 1 AMI retired`),
    );
    expect(h.world.images.has(waiting)).toBe(false);
  });
});
