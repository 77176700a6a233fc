import { beforeEach, describe, expect, it } from 'vitest';
import { BAKE_ID_TAG, CREATED_BY_TAG, CREATED_BY_VALUE } from '../../src/bake/image-tags.js';
import { AppError } from '../../src/errors.js';
import type { CreateImageInput, Ec2Port, ImageInfo, InstanceInfo } from '../../src/ports/ec2.js';
import { imageLifecycleCases } from './ec2-lifecycle-cases.js';

/** What each EC2 under test holds before a case starts (the demo world's shape: a template and a fleet). */
export interface Ec2Seed {
  /** The one live instance whose Name tag contains `executor-template`. */
  templateId: string;
  templateName: string;
  /** Size of the template's root EBS volume. */
  templateRootVolumeGiB: number;
  /** A tag the template does not carry, on exactly `executorIds` (`key` also on other executors). */
  executorTag: { key: string; value: string };
  executorIds: string[];
  /** One of `executorIds` that a case may terminate. */
  disposableId: string;
  /** An available image of another account (public): DescribeImages by id finds it, describeOwnImages must not. */
  foreignImageId: string;
}

export interface Ec2UnderTest {
  ec2: Ec2Port;
  seed: Ec2Seed;
  /** Lets state transitions settle a little (the simulator moves its clock; moto's states are instant). */
  advance(): Promise<void>;
  /** Deregisters the image behind the port's back, leaving its snapshots: a crash or a bake's leftover. */
  deregisterOnly(imageId: string): Promise<void>;
}

export interface Ec2ContractOptions {
  /**
   * Cases whose behaviour the peer cannot show, each run instead on a stand-in the caller explains:
   * moto accepts a second AMI with a name already taken, and has no deregistration protection or deprecation, so
   * those cases run on aws-sdk-client-mock there.
   */
  standIns?: {
    duplicateImageName?: () => Promise<Ec2UnderTest>;
    /** Deregistration protection and deprecation (moto has neither). */
    lifecycle?: () => Promise<Ec2UnderTest>;
  };
}

const UNKNOWN_INSTANCE = 'i-0123456789abcdef0';
const UNKNOWN_IMAGE = 'ami-0123456789abcdef0';
const UNKNOWN_SNAPSHOT = 'snap-0123456789abcdef0';
const LIVE_STATES = ['pending', 'running', 'stopping', 'stopped', 'shutting-down'];

const ids = (items: Array<{ id: string }>) => items.map((i) => i.id).sort();

/** Calls `advance` until `read` satisfies `done` (at most `rounds` times); returns the last value read. */
async function eventually<T>(
  t: Ec2UnderTest,
  read: () => Promise<T>,
  done: (value: T) => boolean,
  rounds = 200,
): Promise<T> {
  let value = await read();
  for (let i = 0; i < rounds && !done(value); i++) {
    await t.advance();
    value = await read();
  }
  return value;
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => expect.fail('expected the call to be rejected'),
    (error: unknown) => error,
  );
}

function imageInput(t: Ec2UnderTest, template: InstanceInfo, name: string, bakeId: string): CreateImageInput {
  return {
    instanceId: t.seed.templateId,
    name,
    description: `ami-bot contract ${bakeId}`,
    noReboot: true,
    deviceNames: template.blockDeviceNames,
    tags: { Name: name, [CREATED_BY_TAG]: CREATED_BY_VALUE, [BAKE_ID_TAG]: bakeId },
  };
}

async function createAvailableImage(t: Ec2UnderTest, name: string, bakeId: string): Promise<ImageInfo> {
  const template = (await t.ec2.describeInstance(t.seed.templateId))!;
  const id = await t.ec2.createImage(imageInput(t, template, name, bakeId));
  const [image] = await eventually(
    t,
    () => t.ec2.describeImages([id]),
    ([i]) => i?.state === 'available',
  );
  expect(image?.state).toBe('available');
  return image!;
}

/** One behaviour for Ec2Port: the real adapter (on moto) and the simulator. */
export function ec2PortContract(name: string, setup: () => Promise<Ec2UnderTest>, options: Ec2ContractOptions = {}) {
  describe(`Ec2Port contract: ${name}`, () => {
    let t: Ec2UnderTest;
    beforeEach(async () => {
      t = await setup();
    });

    it('finds the template by a Name glob (`*`, `?`, anchored), with its tags, image and devices', async () => {
      const { templateId, templateName } = t.seed;
      const [template, ...others] = await t.ec2.findInstancesByNamePattern('*executor-template*');
      expect(others).toEqual([]);
      expect(template).toMatchObject({ id: templateId, name: templateName, tags: { Name: templateName } });
      expect(template?.imageId).toMatch(/^ami-[0-9a-f]+$/);
      expect(template?.blockDeviceNames.length).toBeGreaterThan(0);
      expect(template?.launchTime).toBeInstanceOf(Date);
      expect(LIVE_STATES).toContain(template?.state);
      expect(ids(await t.ec2.findInstancesByNamePattern(`${templateName.slice(0, -1)}?`))).toEqual([templateId]);
      expect(await t.ec2.findInstancesByNamePattern('executor-template')).toEqual([]);
      expect(await t.ec2.findInstancesByNamePattern('*no-such-instance*')).toEqual([]);
    });

    it('finds instances carrying every tag given, `*` matching any value', async () => {
      const { executorTag, executorIds, templateId, templateName } = t.seed;
      const tagged = await t.ec2.findInstancesByTags({ [executorTag.key]: executorTag.value });
      expect(ids(tagged)).toEqual([...executorIds].sort());
      for (const instance of tagged) expect(instance.tags[executorTag.key]).toBe(executorTag.value);
      const anyValue = ids(await t.ec2.findInstancesByTags({ [executorTag.key]: '*' }));
      expect(anyValue).toEqual(expect.arrayContaining(executorIds));
      expect(anyValue).not.toContain(templateId);
      expect(await t.ec2.findInstancesByTags({ [executorTag.key]: executorTag.value, Name: templateName })).toEqual([]);
      expect(ids(await t.ec2.findInstancesByTags({ Name: templateName }))).toEqual([templateId]);
    });

    it('describes an instance; an unknown or malformed id is undefined, not an error', async () => {
      const [found] = await t.ec2.findInstancesByNamePattern('*executor-template*');
      expect(await t.ec2.describeInstance(t.seed.templateId)).toEqual(found);
      expect(await t.ec2.describeInstance(UNKNOWN_INSTANCE)).toBeUndefined();
      expect(await t.ec2.describeInstance('not-an-instance-id')).toBeUndefined();
    });

    it('reads the root volume an instance boots from; a gone, unknown or malformed instance has none', async () => {
      const template = (await t.ec2.describeInstance(t.seed.templateId))!;
      const root = await t.ec2.describeRootVolume(t.seed.templateId);
      expect(root).toEqual({
        deviceName: expect.any(String),
        volumeId: expect.stringMatching(/^vol-[0-9a-f]+$/),
        sizeGiB: t.seed.templateRootVolumeGiB,
      });
      expect(template.blockDeviceNames).toContain(root?.deviceName);
      expect(await t.ec2.describeRootVolume(UNKNOWN_INSTANCE)).toBeUndefined();
      expect(await t.ec2.describeRootVolume('not-an-instance-id')).toBeUndefined();
      await t.ec2.terminateInstances([t.seed.disposableId]);
      const gone = await eventually(
        t,
        () => t.ec2.describeRootVolume(t.seed.disposableId),
        (v) => v === undefined,
      );
      expect(gone).toBeUndefined();
    });

    it('stops and starts the template: it reaches stopped, then running; doing either twice is fine', async () => {
      const state = async () => (await t.ec2.describeInstance(t.seed.templateId))?.state;
      await eventually(t, state, (s) => s === 'running' || s === 'stopped');
      await t.ec2.stopInstance(t.seed.templateId);
      expect(['stopping', 'stopped']).toContain(await state());
      await t.ec2.stopInstance(t.seed.templateId);
      expect(await eventually(t, state, (s) => s === 'stopped')).toBe('stopped');
      await t.ec2.stopInstance(t.seed.templateId);
      await t.ec2.startInstance(t.seed.templateId);
      expect(['pending', 'running']).toContain(await state());
      await t.ec2.startInstance(t.seed.templateId);
      expect(await eventually(t, state, (s) => s === 'running')).toBe('running');
    });

    it('starting, terminating or imaging an unknown instance is an AWS error; terminating none is a no-op', async () => {
      const input = { ...imageInput(t, await describeTemplate(t), 'never-made', 'b0'), instanceId: UNKNOWN_INSTANCE };
      for (const call of [
        () => t.ec2.startInstance(UNKNOWN_INSTANCE),
        () => t.ec2.terminateInstances([UNKNOWN_INSTANCE]),
        () => t.ec2.createImage(input),
      ]) {
        const error = await rejection(call());
        expect(error).toBeInstanceOf(AppError);
        expect(error).toMatchObject({ code: 'aws_InvalidInstanceID.NotFound' });
      }
      await expect(t.ec2.terminateInstances([])).resolves.toBeUndefined();
    });

    it('terminates an instance: it ends terminated and no lookup lists it any more', async () => {
      const { disposableId, executorTag, executorIds } = t.seed;
      const disposable = (await t.ec2.describeInstance(disposableId))!;
      await t.ec2.terminateInstances([disposableId]);
      const after = await eventually(
        t,
        () => t.ec2.describeInstance(disposableId),
        (i) => i === undefined || i.state === 'terminated',
      );
      // EC2 keeps a terminated instance visible for about an hour; after that it is simply unknown.
      expect(after === undefined || after.state === 'terminated').toBe(true);
      const tagged = ids(await t.ec2.findInstancesByTags({ [executorTag.key]: executorTag.value }));
      expect(tagged).toEqual(executorIds.filter((id) => id !== disposableId).sort());
      expect(ids(await t.ec2.findInstancesByNamePattern(disposable.name))).not.toContain(disposableId);
    });

    it('creates an image found by id, exact name and bake-id tag, with its tags; it becomes available', async () => {
      const name = 'domino-acme-executor-20260901-0900';
      const template = await describeTemplate(t);
      const input = imageInput(t, template, name, 'bake-contract-1');
      const id = await t.ec2.createImage(input);
      expect(id).toMatch(/^ami-[0-9a-f]+$/);
      const [byName, ...more] = await t.ec2.findImagesByName(name);
      expect(more).toEqual([]);
      expect(byName).toMatchObject({ id, name, tags: input.tags });
      expect(['pending', 'available']).toContain(byName?.state);
      expect(byName?.creationDate).toBeInstanceOf(Date);
      expect(ids(await t.ec2.findImagesByTag(BAKE_ID_TAG, 'bake-contract-1'))).toEqual([id]);
      expect(await t.ec2.findImagesByTag(BAKE_ID_TAG, 'bake-contract-2')).toEqual([]);
      expect(await t.ec2.findImagesByName(`${name}-1`)).toEqual([]);
      expect(await t.ec2.findImagesByName('domino-acme-executor-*')).toEqual([]);
      const [image] = await eventually(
        t,
        () => t.ec2.describeImages([id]),
        ([i]) => i?.state === 'available',
      );
      expect(image).toMatchObject({ id, name, state: 'available', tags: input.tags });
      expect(image?.snapshotIds.length).toBeGreaterThan(0);
      for (const snapshotId of image?.snapshotIds ?? []) expect(snapshotId).toMatch(/^snap-[0-9a-f]+$/);
      expect(await t.ec2.snapshotProgress(image?.snapshotIds ?? [])).toBe(100);
    });

    it('refuses a second image with a name already taken: AppError ami_name_taken', async () => {
      const u = options.standIns?.duplicateImageName ? await options.standIns.duplicateImageName() : t;
      const name = 'domino-acme-executor-20260901-1000';
      const template = (await u.ec2.describeInstance(u.seed.templateId))!;
      const id = await u.ec2.createImage(imageInput(u, template, name, 'bake-contract-3'));
      const error = await rejection(u.ec2.createImage(imageInput(u, template, name, 'bake-contract-4')));
      expect(error).toBeInstanceOf(AppError);
      expect(error).toMatchObject({ code: 'ami_name_taken', details: { name } });
      expect((error as AppError).message).toContain(`${name} already exists`);
      expect(ids(await u.ec2.findImagesByName(name))).toEqual([id]);
    });

    it('describeImages: [] for no ids and unknown ids; the known ones beside unknown ones', async () => {
      const image = await createAvailableImage(t, 'domino-acme-executor-20260901-1100', 'bake-contract-5');
      expect(await t.ec2.describeImages([])).toEqual([]);
      expect(await t.ec2.describeImages([UNKNOWN_IMAGE])).toEqual([]);
      expect(ids(await t.ec2.describeImages([image.id, UNKNOWN_IMAGE]))).toEqual([image.id]);
    });

    it("describeOwnImages: only this account's images among the ids; a public one is left out, unknown ids too", async () => {
      const image = await createAvailableImage(t, 'domino-acme-executor-20260901-1150', 'bake-contract-8');
      const { foreignImageId } = t.seed;
      const [foreign] = await t.ec2.describeImages([foreignImageId]);
      expect(foreign?.state).toBe('available');
      expect(foreign?.ownerId).toMatch(/^\d{12}$|^amazon$/);
      expect(image.ownerId).toMatch(/^\d{12}$/);
      expect(foreign?.ownerId).not.toBe(image.ownerId);
      expect(await t.ec2.describeOwnImages([])).toEqual([]);
      expect(await t.ec2.describeOwnImages([foreignImageId])).toEqual([]);
      expect(await t.ec2.describeOwnImages([UNKNOWN_IMAGE])).toEqual([]);
      const own = await t.ec2.describeOwnImages([image.id, foreignImageId, UNKNOWN_IMAGE]);
      expect(ids(own)).toEqual([image.id]);
      expect(own[0]).toMatchObject({ id: image.id, state: 'available', tags: image.tags });
    });

    it('deregisters an image with its snapshots; again, or an unknown image, is not an error', async () => {
      const name = 'domino-acme-executor-20260901-1200';
      const image = await createAvailableImage(t, name, 'bake-contract-6');
      await t.ec2.deregisterImage(image.id);
      const gone = (found: ImageInfo[]) => found.every((i) => i.state === 'deregistered');
      expect(gone(await t.ec2.findImagesByName(name))).toBe(true);
      expect(gone(await t.ec2.findImagesByTag(BAKE_ID_TAG, 'bake-contract-6'))).toBe(true);
      expect(gone(await t.ec2.describeImages([image.id]))).toBe(true);
      expect(await t.ec2.snapshotProgress(image.snapshotIds)).toBeUndefined();
      expect(await t.ec2.deregisterImage(image.id)).toEqual({ image: 'absent', snapshots: [] });
      expect(await t.ec2.deregisterImage(UNKNOWN_IMAGE)).toEqual({ image: 'absent', snapshots: [] });
    });

    it('snapshotProgress: a number while snapshots exist, undefined for none or any unknown one', async () => {
      const template = await describeTemplate(t);
      const id = await t.ec2.createImage(imageInput(t, template, 'domino-acme-executor-20260901-1300', 'bake-7'));
      const [image] = await t.ec2.describeImages([id]);
      const progress = await t.ec2.snapshotProgress(image?.snapshotIds ?? []);
      if (progress !== undefined) {
        expect(progress).toBeGreaterThanOrEqual(0);
        expect(progress).toBeLessThanOrEqual(100);
      }
      expect(await t.ec2.snapshotProgress([])).toBeUndefined();
      expect(await t.ec2.snapshotProgress([UNKNOWN_SNAPSHOT])).toBeUndefined();
      // DescribeSnapshots fails as a whole on one unknown id, so progress is then unknown, not a partial average.
      expect(await t.ec2.snapshotProgress([...(image?.snapshotIds ?? []), UNKNOWN_SNAPSHOT])).toBeUndefined();
    });

    imageLifecycleCases(() => t, options);
  });
}

async function describeTemplate(t: Ec2UnderTest): Promise<InstanceInfo> {
  const template = await t.ec2.describeInstance(t.seed.templateId);
  if (!template) throw new Error(`seed template ${t.seed.templateId} is not there`);
  return template;
}
