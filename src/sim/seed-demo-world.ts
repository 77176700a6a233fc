import { toCachedImage } from './disk-cache.js';
import { DEPLOYMENT_TAG, EXECUTOR_GROUP_TAG } from './sim-domino-api.js';
import { copyFilesystem, createFilesystem } from './sim-fs.js';
import { addImageSnapshots, type CachedImage, type SimImage, type SimInstance, type SimWorld } from './sim-world.js';

/** Ids the demo's config and the tests refer to; fixed so a config file can name them. */
export const DEMO_IDS = {
  testProjectId: '64f1c0de5a1b2c3d4e5f6a01',
  environments: {
    base: '64f1c0de5a1b2c3d4e5f6b01',
    standard: '64f1c0de5a1b2c3d4e5f6b02',
    spark: '64f1c0de5a1b2c3d4e5f6b03',
    nlp: '64f1c0de5a1b2c3d4e5f6b04',
    tf1: '64f1c0de5a1b2c3d4e5f6b05',
  },
  images: {
    base: 'quay.io/domino/base:DED_py3.6_R3.4_23052018',
    standard: 'quay.io/domino/compute-environment-images:ubuntu20-py3.9-r4.2-domino5.5-standard',
    spark: 'quay.io/domino/spark-environment:3.3.0-py3.9-domino5.5',
    nlp: 'registry.acme.example/ds/nlp-env:2026.07',
    cuda: 'nvidia/cuda:10.0-cudnn7-runtime-ubuntu16.04',
    tf1: 'registry.acme.example/ml/tf1-legacy:2020.03',
  },
  /** A public AMI of another account (visible by id, not owned): the rollout gate and the test refuse it. */
  publicAmiId: 'ami-0c55b159cbfafe1f0',
  testTierId: 'test-tier',
  pinnedTierId: 'pinned-legacy',
  opsChannel: 'C0OPS00001',
  announceChannel: 'C0ANNOUNCE',
  approverGroup: 'S0AMIAPPR',
  requester: 'U0ADMIN01',
  approvers: ['U0APPR001', 'U0APPR002'],
} as const;

export interface SeedDemoOptions {
  deployment?: string;
  /** Adds a stopped test-tier executor on the old AMI: the test job would land on it, as can happen for real. */
  staleTestExecutor?: boolean;
}

const GB = 1000 ** 3;
const PEOPLE = ['ana', 'ben', 'chen', 'devika', 'eli', 'fatima', 'greg', 'hana', 'ivan', 'jo', 'kofi', 'lena'];
const USERS_BY_TIER: Record<string, string[]> = {
  'small-k8s': ['ana', 'ben', 'chen', 'devika', 'eli', 'fatima'],
  medium: ['chen', 'greg', 'hana', 'ivan'],
  large: ['ivan', 'jo', 'kofi'],
  gpu: ['lena', 'kofi'],
  'pinned-legacy': ['jo'],
};

/** The "acme" deployment of the seed's story: a stopped template, two pipeline AMIs, a GPU special, a fleet. */
export function seedDemoWorld(world: SimWorld, options: SeedDemoOptions = {}): SimWorld {
  const d = options.deployment ?? world.deployment;
  world.deployment = d;
  const at = (iso: string) => Date.parse(iso);
  const reg = world.registry;
  const base = toCachedImage(reg.define(DEMO_IDS.images.base, 3.9 * GB, new Date('2018-05-23T10:00:00Z')));
  const standard = toCachedImage(reg.define(DEMO_IDS.images.standard, 5.2 * GB, new Date('2026-03-02T08:00:00Z')));
  reg.define(DEMO_IDS.images.spark, 4.4 * GB, new Date('2026-04-11T08:00:00Z'));
  reg.define(DEMO_IDS.images.nlp, 6.1 * GB, new Date('2026-07-20T08:00:00Z'));
  reg.define(DEMO_IDS.images.tf1, 9.8 * GB, new Date('2020-03-09T08:00:00Z'));
  const cuda = toCachedImage(reg.define(DEMO_IDS.images.cuda, 2.3 * GB, new Date('2019-02-01T08:00:00Z')));

  const pipelineTags = (bake: string) => ({ 'created-by': 'ami-bot', 'bake-id': bake, [DEPLOYMENT_TAG]: d });
  const current = addImage(
    world,
    `domino-${d}-executor-20260815-0900`,
    at('2026-08-15T09:00:00Z'),
    pipelineTags('bk-20260815-0900'),
    [base],
  );
  const older = addImage(
    world,
    `domino-${d}-executor-20260510-1400`,
    at('2026-05-10T14:00:00Z'),
    pipelineTags('bk-20260510-1400'),
    [base],
  );
  const gpu = addImage(world, 'ubuntu-16.04-gpu-custom', at('2025-11-03T16:20:00Z'), { team: 'ml-platform' }, [cuda]);

  addInstance(
    world,
    { Name: `${d}-executor-template`, [DEPLOYMENT_TAG]: d },
    current,
    'stopped',
    at('2026-08-15T08:10:00Z'),
  );

  const tier = (id: string, name: string, instanceType: string, image: SimImage, isDefault = false) =>
    world.tiers.push({
      idType: 'string',
      doc: {
        _id: id,
        name,
        instanceType,
        region: world.region,
        subnetId: 'subnet-0a1b2c3d',
        isDefault,
        executorImage: image.id,
      },
    });
  tier('small-k8s', 'Small', 'm5.large', current, true);
  tier('medium', 'Medium', 'm5.2xlarge', current);
  tier('large', 'Large', 'm5.4xlarge', older);
  tier('gpu', 'GPU (K80, Ubuntu 16.04)', 'p2.xlarge', gpu);
  tier('pinned-legacy', 'Legacy (pinned)', 'm4.xlarge', older);
  tier(DEMO_IDS.testTierId, 'AMI test tier', 'm5.large', current);

  const executor = (
    tierId: string,
    image: SimImage,
    state: 'running' | 'stopped',
    launched: string,
    extra: CachedImage[] = [],
  ) => {
    const tags = { Name: `${d}-executor-${tierId}`, [DEPLOYMENT_TAG]: d, [EXECUTOR_GROUP_TAG]: tierId };
    const instance = addInstance(world, tags, image, state, at(launched));
    for (const img of extra) instance.dockerImages.set(img.ref, img);
  };
  executor('small-k8s', current, 'running', '2026-08-28T07:12:00Z', [standard]);
  executor('small-k8s', current, 'running', '2026-08-31T13:40:00Z');
  executor('small-k8s', older, 'stopped', '2026-08-12T09:05:00Z', [standard]);
  executor('medium', current, 'running', '2026-08-30T10:00:00Z', [standard]);
  executor('large', older, 'running', '2026-08-20T15:30:00Z');
  executor('large', older, 'stopped', '2026-08-02T11:00:00Z');
  executor('gpu', gpu, 'running', '2026-08-25T09:45:00Z');
  executor('pinned-legacy', older, 'stopped', '2026-07-30T08:00:00Z');
  if (options.staleTestExecutor) executor(DEMO_IDS.testTierId, older, 'stopped', '2026-08-14T17:00:00Z');

  for (const [tierId, people] of Object.entries(USERS_BY_TIER)) {
    world.tierUsers.set(
      tierId,
      people.map((p) => `${p}@acme.example`),
    );
  }
  const env = (id: string, name: string, image: string) => world.environments.set(id, { id, name, image });
  env(DEMO_IDS.environments.base, 'Domino Analytics Distribution Py3.6 R3.4', DEMO_IDS.images.base);
  env(DEMO_IDS.environments.standard, 'Domino Standard Environment Py3.9 R4.2', DEMO_IDS.images.standard);
  env(DEMO_IDS.environments.spark, 'Spark 3.3 compute', DEMO_IDS.images.spark);
  env(DEMO_IDS.environments.nlp, 'NLP team', DEMO_IDS.images.nlp);
  env(DEMO_IDS.environments.tf1, 'TF1 legacy (kofi)', DEMO_IDS.images.tf1);
  const projectId = DEMO_IDS.testProjectId;
  world.projects.set(projectId, {
    id: projectId,
    owner: 'ami-bot',
    name: 'ami-smoke-test',
    defaultEnvironmentId: DEMO_IDS.environments.base,
  });
  // The last 14 days of runs, per tier, by the users of USERS_BY_TIER; the pinned tier's runs are on its own AMI.
  const onTier = (id: string, runs: number, users: number) => ({ tier: id, runs, users });
  world.environmentUsage.push(
    {
      environment: 'Domino Standard Environment Py3.9 R4.2',
      image: DEMO_IDS.images.standard,
      runs: 958,
      users: 9,
      tiers: [onTier('small-k8s', 603, 6), onTier('medium', 355, 4)],
    },
    {
      environment: 'Domino Analytics Distribution Py3.6 R3.4',
      image: DEMO_IDS.images.base,
      runs: 412,
      users: 6,
      tiers: [onTier('small-k8s', 180, 3), onTier('large', 192, 3), onTier('pinned-legacy', 40, 1)],
    },
    { environment: 'NLP team', image: DEMO_IDS.images.nlp, runs: 203, users: 3, tiers: [onTier('medium', 203, 3)] },
    {
      environment: 'Spark 3.3 compute',
      image: DEMO_IDS.images.spark,
      runs: 77,
      users: 3,
      tiers: [onTier('large', 61, 2), onTier('medium', 16, 1)],
    },
    // Kofi's old TensorFlow 1 stack: big and seldom run, what a disk budget leaves out.
    {
      environment: 'TF1 legacy (kofi)',
      image: DEMO_IDS.images.tf1,
      runs: 11,
      users: 1,
      tiers: [onTier('large', 11, 1)],
    },
  );

  // Slack: an admin who bakes, two approvers in a user group, and the tier users (kofi has no Slack account).
  const users = world.slack.users;
  users[DEMO_IDS.requester] = { name: 'pat', email: 'pat@acme.example' };
  users.U0APPR001 = { name: 'sam', email: 'sam@acme.example' };
  users.U0APPR002 = { name: 'robin', email: 'robin@acme.example' };
  PEOPLE.filter((p) => p !== 'kofi').forEach((p, i) => {
    users[`U0USER${String(i + 1).padStart(3, '0')}`] = { name: p, email: `${p}@acme.example` };
  });
  world.slack.groups[DEMO_IDS.approverGroup] = [...DEMO_IDS.approvers];
  world.slack.channels[DEMO_IDS.opsChannel] = 'domino-ops';
  world.slack.channels[DEMO_IDS.announceChannel] = 'domino-announce';
  addPublicImage(world);
  return world;
}

/** Canonical's public Ubuntu AMI as another account's image: a fixed id, so the seed's random ids do not move. */
function addPublicImage(world: SimWorld): void {
  world.images.set(DEMO_IDS.publicAmiId, {
    id: DEMO_IDS.publicAmiId,
    name: 'ubuntu/images/hvm-ssd/ubuntu-jammy-22.04-amd64-server-20260801',
    description: 'Canonical, Ubuntu, 22.04 LTS, amd64 jammy image',
    state: 'available',
    creationMs: Date.parse('2026-08-01T00:00:00Z'),
    tags: {},
    snapshotIds: [],
    blockDeviceNames: ['/dev/sda1'],
    dockerImages: new Map(),
    fs: createFilesystem(),
    ownerId: '099720109477',
  });
}

export function addImage(
  world: SimWorld,
  name: string,
  creationMs: number,
  tags: Record<string, string>,
  cache: CachedImage[],
): SimImage {
  const image: SimImage = {
    id: world.ids.image(),
    name,
    description: name,
    state: 'available',
    creationMs,
    tags,
    snapshotIds: [],
    blockDeviceNames: ['/dev/xvda', '/dev/xvdb'],
    dockerImages: new Map(cache.map((c) => [c.ref, c])),
    fs: createFilesystem(),
  };
  // One tags object for the image and its snapshots: an in-place edit of the image's tags shows on them.
  addImageSnapshots(world, image, {
    state: 'completed',
    startMs: creationMs,
    completeMs: creationMs + 600_000,
    tags: () => tags,
  });
  world.images.set(image.id, image);
  return image;
}

export function addInstance(
  world: SimWorld,
  tags: Record<string, string>,
  image: SimImage,
  state: 'running' | 'stopped',
  launchTimeMs: number,
): SimInstance {
  const instance: SimInstance = {
    id: world.ids.instance(),
    tags,
    state,
    imageId: image.id,
    blockDeviceNames: image.blockDeviceNames.slice(),
    launchTimeMs,
    dockerImages: new Map(image.dockerImages),
    fs: copyFilesystem(image.fs),
    agentOnline: state === 'running',
    generation: 0,
    activeJobs: 0,
  };
  world.instances.set(instance.id, instance);
  return instance;
}
