// The rollout's use cases wired to real peers (FerretDB for Domino's tiers and the bot's state) and to small
// fakes for Slack and EC2, with a manual clock: what bot.ts wires, minus the Bolt app.
import { type Db, type Document, ObjectId } from 'mongodb';
import { createMongoDominoTiers } from '../../src/adapters/mongo/domino-tiers.js';
import { createMongoStateStore } from '../../src/adapters/mongo/state-store.js';
import { createMongoTierUsers } from '../../src/adapters/mongo/tier-users.js';
import type { BakeRecord } from '../../src/bake/bake-record.js';
import { newStepTable } from '../../src/bake/bake-steps.js';
import { bakeImageTags } from '../../src/bake/image-tags.js';
import { type Config, loadConfig } from '../../src/config.js';
import type { ChatPort } from '../../src/ports/chat.js';
import type { Clock } from '../../src/ports/clock.js';
import type { DominoApiPort } from '../../src/ports/domino.js';
import type { StateStore } from '../../src/ports/state-store.js';
import type { AmiTestRecord } from '../../src/rollout/ami-test-record.js';
import { createRollout, type Rollout } from '../../src/rollout/create-rollout.js';
import type { RolloutDeps } from '../../src/rollout/rollout-deps.js';
import { unconfiguredDominoApi } from '../../src/rollout/unconfigured-ports.js';
import { type BackgroundTasks, createBackgroundTasks } from '../../src/shared/background-tasks.js';
import { createSilentLogger } from '../../src/shared/logger.js';
import { createSystemClock } from '../../src/shared/system-clock.js';
import { createManualClock, type ManualClock } from '../../src/sim/manual-clock.js';
import { createRolloutPresenter } from '../../src/slack/rollout-presenter.js';
import { createFakeEc2, type FakeEc2 } from './fake-ec2.js';
import { mongoTestUri, uniqueDbName } from './mongo.js';
import { createRecordingChat, type RecordingChat } from './recording-chat.js';
import { recordProvenTest } from './rollout-harness.js';

export const ADMIN = 'U0ADMIN01';
export const APPROVERS = ['U0APPR001', 'U0APPR002'];
export const OPS = 'C0OPS00001';
export const ANNOUNCE = 'C0ANNOUNCE';

export const AMI = {
  old1: 'ami-0a11111111111111a',
  old2: 'ami-0a22222222222222a',
  gpu: 'ami-0c0de0c0de0c0de00',
  new: 'ami-0bbbbbbbbbbbbbbbb',
};

const oid = (n: number) => new ObjectId(`64f1c0de5a1b2c3d4e5f${String(n).padStart(4, '0')}`);

/** Domino's executor_group_configuration as a 3.x deployment has it: mixed `_id` types, many fields per tier. */
export function realisticTiers(): Document[] {
  const tier = (
    _id: ObjectId | string,
    name: string,
    instanceType: string,
    executorImage: string,
    extra: Document = {},
  ) => ({
    _id,
    name,
    cores: 4,
    memory: 16,
    isDefault: false,
    instanceType,
    region: 'us-west-2',
    subnetId: 'subnet-0a1b2c3d',
    executorImage,
    clusterType: 'Classic',
    ...extra,
  });
  return [
    tier(oid(1), 'Small', 'm5.large', AMI.old1, { isDefault: true, cores: 2 }),
    tier('medium', 'Medium', 'm5.2xlarge', AMI.old2),
    tier(oid(3), 'Large', 'm5.4xlarge', AMI.old2, { cores: 16 }),
    tier(oid(4), 'XLarge', 'm5.8xlarge', AMI.old1, { cores: 32 }),
    tier('gpu', 'GPU (K80, Ubuntu 16.04)', 'p2.xlarge', AMI.gpu, { gpus: 1 }),
    tier('pinned-legacy', 'Legacy (pinned)', 'm4.xlarge', AMI.old1),
    tier('test-tier', 'AMI test tier', 'm5.large', AMI.new),
  ];
}

export interface RolloutRig {
  config: Config;
  deps: RolloutDeps;
  rollout: Rollout;
  store: StateStore;
  chat: RecordingChat;
  ec2: FakeEc2;
  clock: ManualClock;
  tasks: BackgroundTasks;
  domino: Db;
  tierCollection: string;
  /** Every tier document by `_id` text. */
  readTiers(): Promise<Map<string, Document>>;
  close(): Promise<void>;
}

export async function startRolloutRig(options: {
  domino: Db;
  tweak?: (config: Config) => void;
  dominoApi?: DominoApiPort;
  tiers?: Document[];
  /** A real ChatPort (e.g. the Slack adapter on the fake Slack); `rig.chat` then records nothing. */
  chat?: ChatPort;
  /** A clock for real peers that take real time (HTTP): e.g. a scaled clock. `rig.clock` stays the manual one. */
  clock?: Clock;
  /** The bot's state server (default: the run's shared test server). */
  stateUri?: string;
}): Promise<RolloutRig> {
  // A mutable copy: the validated config is frozen, tests tweak their own.
  const config = structuredClone(
    loadConfig(
      {
        SLACK_BOT_TOKEN: 'xoxb-test',
        SLACK_SIGNING_SECRET: 'test-signing-secret',
        AMIBOT_OPS_CHANNELS: OPS,
        AMIBOT_ADMINS: ADMIN,
        AMIBOT_APPROVERS: [ADMIN, ...APPROVERS].join(','),
        AMIBOT_ANNOUNCE_CHANNEL: ANNOUNCE,
        AMIBOT_DEPLOYMENT: 'acme',
        AMIBOT_TEST_TIER: 'test-tier',
        AMIBOT_PINNED_TIERS: 'pinned-legacy',
        MONGODB_URI: 'mongodb://127.0.0.1:1/unused',
      },
      () => '',
    ),
  );
  options.tweak?.(config);
  const tierCollection = `egc_${uniqueDbName('c')}`;
  await options.domino.collection(tierCollection).insertMany(options.tiers ?? realisticTiers());
  const store = await createMongoStateStore({
    uri: options.stateUri ?? mongoTestUri(),
    database: uniqueDbName('rollout'),
    serverSelectionTimeoutMS: 2_000,
  });
  const chat = createRecordingChat();
  const ec2 = createFakeEc2();
  ec2.addImage(AMI.old1, 'domino-acme-executor-20260510-1400');
  ec2.addImage(AMI.old2, 'renamed-by-someone', {
    'created-by': 'ami-bot',
    'ami-bot:bake-id': 'bake-20260815-abcd',
    'ami-bot:deployment': 'acme',
  });
  ec2.addImage(AMI.gpu, 'ubuntu-16.04-gpu-custom', { team: 'ml-platform' });
  // AMI.new gets its bake's tags from succeededBake / bakedAmi (as a bake leaves it), not here.
  const clock = createManualClock(new Date('2026-11-28T09:00:00Z'));
  const logger = createSilentLogger();
  const tasks = createBackgroundTasks(logger);
  const deps: RolloutDeps = {
    config,
    store,
    presenter: createRolloutPresenter(config),
    chat: options.chat ?? chat,
    clock: options.clock ?? clock,
    wallClock: createSystemClock(),
    logger,
    ec2,
    tiers: createMongoDominoTiers({ db: options.domino, collection: tierCollection, labelField: 'name' }),
    tierUsers: createMongoTierUsers({ db: options.domino, clock: options.clock ?? clock, ...config.domino.tierUsers }),
    domino: options.dominoApi ?? unconfiguredDominoApi(),
    tasks,
    owner: 'test-process',
  };
  const rollout = createRollout(deps);
  return {
    config,
    deps,
    rollout,
    store,
    chat,
    ec2,
    clock,
    tasks,
    domino: options.domino,
    tierCollection,
    async readTiers() {
      const docs = await options.domino.collection(tierCollection).find({}).toArray();
      return new Map(docs.map((doc) => [String(doc._id), doc]));
    },
    async close() {
      await rollout.scheduler.stop();
      await tasks.stop();
      await store.close();
    },
  };
}

/**
 * An AMI as a succeeded bake leaves it: in the fake EC2 with the bake's tags (this account's, created `createdAt`),
 * and its bake record in the store: what the rollout gate's provenance checks look for.
 */
export async function bakedAmi(
  rig: Pick<RolloutRig, 'ec2' | 'store' | 'clock'>,
  amiId: string,
  name: string,
  bakeId: string,
  options: { createdAt?: Date; rootTs?: string; deployment?: string } = {},
): Promise<BakeRecord> {
  const now = rig.clock.now();
  const deployment = options.deployment ?? 'acme';
  const bake: BakeRecord = {
    _id: bakeId,
    deployment,
    requester: ADMIN,
    channel: OPS,
    ...(options.rootTs ? { rootTs: options.rootTs } : {}),
    images: ['quay.io/domino/base:1'],
    noReboot: false,
    status: 'succeeded',
    steps: newStepTable(),
    facts: { imageId: amiId, imageName: name },
    createdAt: now,
    updatedAt: now,
  };
  rig.ec2.addImage(amiId, name, bakeImageTags(bake), { createdAt: options.createdAt ?? now });
  await rig.store.bakes.insert(bake);
  return bake;
}

/** A passed test of the AMI that proved its executor (booted from it after the test began): what the gate needs. */
export function provenTest(
  rig: Pick<RolloutRig, 'store' | 'clock'>,
  amiId: string,
  overrides: Partial<AmiTestRecord> = {},
): Promise<AmiTestRecord> {
  return recordProvenTest(rig, amiId, { previousAmi: AMI.old1, ...overrides });
}

/**
 * A finished bake of `AMI.new` with a Slack thread, as `/ami plan <bake-id>` expects to find — tagged, recorded
 * and tested (a proven pass) as the rollout gate requires. `tested: false` leaves the test out.
 */
export async function succeededBake(rig: RolloutRig, options: { tested?: boolean } = {}): Promise<BakeRecord> {
  const bake = await bakedAmi(rig, AMI.new, 'domino-acme-executor-20261128-0900', 'bake-20261128-k3m9', {
    rootTs: '1690000000.000100',
  });
  if (options.tested !== false) await provenTest(rig, AMI.new, { bakeId: bake._id });
  return bake;
}
