// The EC2 port contract, run against the simulator and against the real adapter on moto's EC2 server
// (PyPI `moto`, installed into .cache/moto by test/support/moto.ts; .ci/run installs it ahead of the tests).
// moto's limits (DESIGN.md): states change at once, BlockDeviceMappings are ignored, snapshot TagSpecifications
// fail (the client drops them and tags the snapshots itself, see motoEc2Client), AMI names are not unique, and it
// has no deregistration protection or deprecation (those cases run on stand-ins).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEc2Adapter } from '../../src/adapters/aws/ec2-adapter.js';
import { BAKE_ID_TAG, CREATED_BY_TAG, CREATED_BY_VALUE } from '../../src/bake/image-tags.js';
import { createManualClock, createSimulator, EXECUTOR_GROUP_TAG } from '../../src/sim/index.js';
import { DEMO_IDS } from '../../src/sim/seed-demo-world.js';
import { rootVolumeGiBOf } from '../../src/sim/sim-world.js';
import { ec2PortContract } from '../contract/ec2-port.contract.js';
import { lifecycleStandIn } from '../support/ec2-lifecycle-stand-in.js';
import { type MotoServer, startMoto } from '../support/moto.js';
import {
  duplicateNameStandIn,
  type MotoEc2Client,
  motoBaseImage,
  motoDeregisterOnly,
  motoEc2Client,
  seedMotoAccount,
} from '../support/moto-ec2.js';

ec2PortContract('simulator', async () => {
  const clock = createManualClock();
  const sim = createSimulator({ clock, write: () => {} });
  const instances = [...sim.world.instances.values()];
  const template = instances.find((i) => i.tags.Name === 'acme-executor-template')!;
  const executorIds = instances.filter((i) => i.tags[EXECUTOR_GROUP_TAG] === 'small-k8s').map((i) => i.id);
  const disposable = instances.find((i) => executorIds.includes(i.id) && i.state === 'running')!;
  return {
    ec2: sim.ec2,
    seed: {
      templateId: template.id,
      templateName: 'acme-executor-template',
      templateRootVolumeGiB: rootVolumeGiBOf(template),
      executorTag: { key: EXECUTOR_GROUP_TAG, value: 'small-k8s' },
      executorIds,
      disposableId: disposable.id,
      foreignImageId: DEMO_IDS.publicAmiId,
    },
    // One virtual minute per round: a start takes 30–60 s, a snapshot of the template about 10 minutes.
    advance: () => clock.advance(60_000),
    deregisterOnly: async (imageId) => {
      sim.world.images.delete(imageId);
    },
  };
});

let moto: MotoServer | undefined;
let aws: MotoEc2Client | undefined;

beforeAll(async () => {
  moto = await startMoto();
  aws = motoEc2Client(moto.endpoint);
  await motoBaseImage(aws.client);
});

afterAll(async () => {
  aws?.client.destroy();
  await moto?.stop();
});

ec2PortContract(
  'real adapter on moto',
  async () => {
    await moto!.reset();
    const seed = await seedMotoAccount(aws!.client);
    return {
      ec2: createEc2Adapter(aws!.client),
      seed,
      advance: async () => {},
      deregisterOnly: (imageId) => motoDeregisterOnly(aws!.client, imageId),
    };
  },
  // moto lacks InvalidAMIName.Duplicate, deregistration protection and deprecation: those cases run the real
  // adapter on aws-sdk-client-mock stand-ins (test/support/moto-ec2.ts, ec2-lifecycle-stand-in.ts).
  { standIns: { duplicateImageName: async () => duplicateNameStandIn(), lifecycle: async () => lifecycleStandIn() } },
);

describe('real adapter on moto: what moto cannot show', () => {
  it('asks EC2 to tag the snapshots like the image (moto cannot store snapshot tags, so the client drops them)', async () => {
    await moto!.reset();
    const seed = await seedMotoAccount(aws!.client);
    const ec2 = createEc2Adapter(aws!.client);
    const before = aws!.droppedSnapshotTags.length;
    const template = (await ec2.describeInstance(seed.templateId))!;
    const tags = { [CREATED_BY_TAG]: CREATED_BY_VALUE, [BAKE_ID_TAG]: 'bake-snapshot-tags' };
    const id = await ec2.createImage({
      instanceId: seed.templateId,
      name: 'domino-acme-executor-20260901-1400',
      description: 'snapshot tags',
      noReboot: true,
      deviceNames: template.blockDeviceNames,
      tags,
    });
    expect(aws!.droppedSnapshotTags.slice(before)).toEqual([
      { ResourceType: 'snapshot', Tags: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })) },
    ]);
    expect((await ec2.describeImages([id]))[0]?.tags).toEqual(tags);
  });
});
