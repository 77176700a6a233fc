// The image lifecycle's part of the EC2 port contract (inventory by tags, retiring with snapshots, protection,
// deprecation), called from ec2PortContract so every Ec2Port runs it. Cases a peer cannot show run on the stand-in
// the caller names (moto has no deregistration protection and no deprecation: see ec2-contract.test.ts).
import { expect, it } from 'vitest';
import { BAKE_ID_TAG, CREATED_BY_TAG, CREATED_BY_VALUE, DEPLOYMENT_TAG } from '../../src/bake/image-tags.js';
import { AppError } from '../../src/errors.js';
import type { ImageInfo, LifecycleImageInfo } from '../../src/ports/ec2.js';
import type { Ec2ContractOptions, Ec2UnderTest } from './ec2-port.contract.js';

const ids = (items: Array<{ id: string }>) => items.map((i) => i.id).sort();

async function createTaggedImage(t: Ec2UnderTest, name: string, tags: Record<string, string>): Promise<ImageInfo> {
  const template = await t.ec2.describeInstance(t.seed.templateId);
  if (!template) throw new Error(`seed template ${t.seed.templateId} is not there`);
  const id = await t.ec2.createImage({
    instanceId: t.seed.templateId,
    name,
    description: `ami-bot lifecycle contract ${name}`,
    noReboot: true,
    deviceNames: template.blockDeviceNames,
    tags: { Name: name, ...tags },
  });
  for (let round = 0; round < 200; round++) {
    const [image] = await t.ec2.describeImages([id]);
    if (image?.state === 'available') return image;
    await t.advance();
  }
  throw new Error(`image ${id} never became available`);
}

const bakeTags = (deployment: string, bakeId: string) => ({
  [CREATED_BY_TAG]: CREATED_BY_VALUE,
  [DEPLOYMENT_TAG]: deployment,
  [BAKE_ID_TAG]: bakeId,
});

async function listed(t: Ec2UnderTest, bakeId: string): Promise<LifecycleImageInfo | undefined> {
  const [image, ...more] = await t.ec2.listImagesByTags({ [BAKE_ID_TAG]: bakeId });
  expect(more).toEqual([]);
  return image;
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => expect.fail('expected the call to be rejected'),
    (error: unknown) => error,
  );
}

export function imageLifecycleCases(get: () => Ec2UnderTest, options: Ec2ContractOptions): void {
  it("lists this deployment's images by tags, with creation time, state, snapshots and their sizes", async () => {
    const t = get();
    const a = await createTaggedImage(t, 'domino-acme-executor-20260902-0900', bakeTags('acme', 'bake-life-1'));
    const b = await createTaggedImage(t, 'domino-acme-executor-20260902-1000', bakeTags('acme', 'bake-life-2'));
    await createTaggedImage(t, 'domino-other-executor-20260902-1100', bakeTags('other', 'bake-life-3'));
    const mine = await t.ec2.listImagesByTags({ [CREATED_BY_TAG]: CREATED_BY_VALUE, [DEPLOYMENT_TAG]: 'acme' });
    expect(ids(mine)).toEqual([a.id, b.id].sort());
    expect(await t.ec2.listImagesByTags({ [DEPLOYMENT_TAG]: 'nobody' })).toEqual([]);
    for (const image of mine) {
      expect(image.state).toBe('available');
      expect(image.creationDate).toBeInstanceOf(Date);
      expect(image.protection).toEqual({ state: 'off' });
      expect(image.deprecationTime).toBeUndefined();
      expect(image.volumes.map((v) => v.snapshotId).sort()).toEqual([...image.snapshotIds].sort());
      for (const volume of image.volumes) expect(volume.sizeGiB).toBeGreaterThan(0);
    }
  });

  it('lists snapshots by tags, each naming the image it was made for, also after the image is gone', async () => {
    const t = get();
    const image = await createTaggedImage(t, 'domino-acme-executor-20260902-1200', bakeTags('acme', 'bake-life-4'));
    const snapshots = await t.ec2.listSnapshotsByTags({ [BAKE_ID_TAG]: 'bake-life-4' });
    expect(ids(snapshots)).toEqual([...image.snapshotIds].sort());
    for (const snapshot of snapshots) {
      expect(snapshot).toMatchObject({ createdForImageId: image.id, tags: { [DEPLOYMENT_TAG]: 'acme' } });
      expect(snapshot.sizeGiB).toBeGreaterThan(0);
    }
    expect(await t.ec2.listSnapshotsByTags({ [BAKE_ID_TAG]: 'bake-life-none' })).toEqual([]);
    await t.deregisterOnly(image.id);
    expect(await t.ec2.listImagesByTags({ [BAKE_ID_TAG]: 'bake-life-4' })).toEqual([]);
    const orphans = await t.ec2.listSnapshotsByTags({ [BAKE_ID_TAG]: 'bake-life-4' });
    expect(ids(orphans)).toEqual([...image.snapshotIds].sort());
  });

  it('deregisters with the snapshots and says so; again is done; an image already gone still loses its snapshots', async () => {
    const t = get();
    const image = await createTaggedImage(t, 'domino-acme-executor-20260902-1300', bakeTags('acme', 'bake-life-5'));
    const result = await t.ec2.deregisterImage(image.id);
    expect(result.image).toBe('deregistered');
    expect(result.snapshots).toEqual(image.snapshotIds.map((id) => ({ id, outcome: 'deleted' })));
    expect(await t.ec2.listSnapshotsByTags({ [BAKE_ID_TAG]: 'bake-life-5' })).toEqual([]);
    expect(await t.ec2.deregisterImage(image.id)).toEqual({ image: 'absent', snapshots: [] });

    const half = await createTaggedImage(t, 'domino-acme-executor-20260902-1400', bakeTags('acme', 'bake-life-6'));
    await t.deregisterOnly(half.id); // a crash between deregistering and deleting the snapshots
    const resumed = await t.ec2.deregisterImage(half.id);
    expect(resumed).toEqual({ image: 'absent', snapshots: half.snapshotIds.map((id) => ({ id, outcome: 'deleted' })) });
    expect(await t.ec2.listSnapshotsByTags({ [BAKE_ID_TAG]: 'bake-life-6' })).toEqual([]);
  });

  it('deletes one snapshot: an orphan goes, again is absent; one an image still uses is in use and stays', async () => {
    const t = get();
    const live = await createTaggedImage(t, 'domino-acme-executor-20260902-1450', bakeTags('acme', 'bake-life-10'));
    expect(await t.ec2.deleteSnapshot(live.snapshotIds[0]!)).toBe('in-use');
    expect(ids(await t.ec2.listSnapshotsByTags({ [BAKE_ID_TAG]: 'bake-life-10' }))).toEqual(
      [...live.snapshotIds].sort(),
    );
    await t.deregisterOnly(live.id);
    for (const id of live.snapshotIds) expect(await t.ec2.deleteSnapshot(id)).toBe('deleted');
    for (const id of live.snapshotIds) expect(await t.ec2.deleteSnapshot(id)).toBe('absent');
    expect(await t.ec2.listSnapshotsByTags({ [BAKE_ID_TAG]: 'bake-life-10' })).toEqual([]);
  });

  it('deregistration protection: a protected image is refused and stays; lifted (no cooldown), it goes', async () => {
    const u = options.standIns?.lifecycle ? await options.standIns.lifecycle() : get();
    const image = await createTaggedImage(u, 'domino-acme-executor-20260902-1500', bakeTags('acme', 'bake-life-7'));
    await u.ec2.enableDeregistrationProtection(image.id, { withCooldown: false });
    await u.ec2.enableDeregistrationProtection(image.id, { withCooldown: false });
    expect((await listed(u, 'bake-life-7'))?.protection).toEqual({ state: 'on', cooldown: false });
    expect(await rejection(u.ec2.deregisterImage(image.id))).toBeInstanceOf(AppError);
    expect((await u.ec2.describeImages([image.id]))[0]?.state).toBe('available');
    await u.ec2.disableDeregistrationProtection(image.id);
    expect((await listed(u, 'bake-life-7'))?.protection).toEqual({ state: 'off' });
    expect((await u.ec2.deregisterImage(image.id)).image).toBe('deregistered');
  });

  it('with a cooldown, lifting protection leaves the image cooling down, and deregistration still refused', async () => {
    const u = options.standIns?.lifecycle ? await options.standIns.lifecycle() : get();
    const image = await createTaggedImage(u, 'domino-acme-executor-20260902-1600', bakeTags('acme', 'bake-life-8'));
    await u.ec2.enableDeregistrationProtection(image.id, { withCooldown: true });
    expect((await listed(u, 'bake-life-8'))?.protection).toEqual({ state: 'on', cooldown: true });
    await u.ec2.disableDeregistrationProtection(image.id);
    expect((await listed(u, 'bake-life-8'))?.protection.state).toBe('cooling-down');
    expect(await rejection(u.ec2.deregisterImage(image.id))).toBeInstanceOf(AppError);
    expect(ids(await u.ec2.describeImages([image.id]))).toEqual([image.id]);
  });

  it('deprecates an image at the time given (a whole minute: EC2 rounds seconds)', async () => {
    const u = options.standIns?.lifecycle ? await options.standIns.lifecycle() : get();
    const image = await createTaggedImage(u, 'domino-acme-executor-20260902-1700', bakeTags('acme', 'bake-life-9'));
    const at = new Date('2030-01-01T00:00:00Z');
    await u.ec2.enableImageDeprecation(image.id, at);
    expect((await listed(u, 'bake-life-9'))?.deprecationTime?.toISOString()).toBe(at.toISOString());
    // Back in use (a revert onto it): the deprecation is cancelled; cancelling again is not an error.
    await u.ec2.disableImageDeprecation(image.id);
    expect((await listed(u, 'bake-life-9'))?.deprecationTime).toBeUndefined();
    await u.ec2.disableImageDeprecation(image.id);
  });
}
