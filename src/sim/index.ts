import type { Clock } from '../ports/clock.js';
import type { DominoApiPort, DominoTiersPort, TierUsersPort } from '../ports/domino.js';
import type { Ec2Port } from '../ports/ec2.js';
import type { EksPort } from '../ports/eks.js';
import type { LaunchTemplatePort } from '../ports/launch-templates.js';
import type { SsmPort } from '../ports/ssm.js';
import { type ConsoleChat, createConsoleChat } from './console-chat.js';
import { createFaults, type Faults } from './faults.js';
import { createScaledClock } from './scaled-clock.js';
import { type SeedEksOptions, seedEksCluster } from './seed-eks-cluster.js';
import { createSimDominoApi, createSimDominoTiers, createSimTierUsers } from './sim-domino.js';
import { createSimEc2 } from './sim-ec2.js';
import { createSimEks } from './sim-eks.js';
import { createSimLaunchTemplates } from './sim-launch-templates.js';
import { createSimRegistry, type SimRegistry } from './sim-registry.js';
import { createSimSsm } from './sim-ssm.js';
import { createSimWorld, type SimWorld, seedDemoWorld } from './sim-world.js';
import type { CannedScripts } from './ssm-script.js';
import type { SimTimings } from './timings.js';

export { type ConsoleChat, createConsoleChat } from './console-chat.js';
export {
  createFaults,
  EKS_FAULT_NAMES,
  type EksFaultName,
  FAULT_NAMES,
  type FaultName,
  type Faults,
  parseFaultNames,
} from './faults.js';
export { createManualClock, type ManualClock } from './manual-clock.js';
export { createScaledClock } from './scaled-clock.js';
export { DEMO_IDS } from './seed-demo-world.js';
export {
  addLaunchTemplate,
  addNodegroup,
  addNodePoolTier,
  addRun,
  finishRun,
  NODE_POOL_LABEL,
  type SeedEksOptions,
  type SeededEks,
  seedEksCluster,
  TERRAFORM_TAGS,
} from './seed-eks-cluster.js';
export { createSimDominoApi, createSimDominoTiers, createSimTierUsers } from './sim-domino.js';
export { DEPLOYMENT_TAG, EXECUTOR_GROUP_TAG } from './sim-domino-api.js';
export { createSimEc2 } from './sim-ec2.js';
export { createSimEks } from './sim-eks.js';
export { createSimLaunchTemplates } from './sim-launch-templates.js';
export { createSimSsm } from './sim-ssm.js';
export { createSimWorld, type SimWorld, seedDemoWorld } from './sim-world.js';
export type { CannedOutcome, CannedScripts } from './ssm-script.js';
export { DEFAULT_TIMINGS, type SimTimings } from './timings.js';

export interface SimulatorOptions {
  /** Virtual ms per real ms (1 = real time). The caller reads AMIBOT_SIM_SPEED, not this module. */
  speed?: number;
  /** Virtual start time (default: now). */
  start?: Date;
  /** A clock to use instead of a scaled one (tests pass a manual clock). */
  clock?: Clock;
  /** Fault names to switch on (validated), or a registry to share with a demo driver. */
  faults?: readonly string[] | Faults;
  deployment?: string;
  /** Where the console Slack prints (default: stdout). */
  write?: (line: string) => void;
  /** Seed of every random duration and id (default 1). */
  seed?: number;
  timings?: Partial<SimTimings>;
  /** Build the "acme" demo world (default true); false gives an empty account to fill by hand. */
  seedWorld?: boolean;
  staleTestExecutor?: boolean;
  /** Also build a Domino 4+ EKS cluster (node groups, launch templates, nodes): `true` or the seed's options. */
  seedEks?: boolean | SeedEksOptions;
  /** Label field of the tier documents (default `name`). */
  tierLabelField?: string;
  /** For the SSM port contract: outcomes of its own scripts (the simulator models only the bot's). */
  cannedScripts?: CannedScripts;
}

export interface Simulator {
  world: SimWorld;
  clock: Clock;
  faults: Faults;
  ec2: Ec2Port;
  ssm: SsmPort;
  dominoTiers: DominoTiersPort;
  tierUsers: TierUsersPort;
  dominoApi: DominoApiPort;
  eks: EksPort;
  launchTemplates: LaunchTemplatePort;
  /** The registries' manifests (every reference resolves, as the simulated `docker pull` does). */
  registry: SimRegistry;
  chat: ConsoleChat;
}

/** The whole simulated outside world, wired to one clock, one fault registry and one world state. */
export function createSimulator(options: SimulatorOptions = {}): Simulator {
  const clock =
    options.clock ??
    createScaledClock({ speed: options.speed ?? 1, ...(options.start ? { start: options.start } : {}) });
  const faults = isFaults(options.faults) ? options.faults : createFaults(options.faults ?? []);
  const world = createSimWorld({
    ...(options.deployment ? { deployment: options.deployment } : {}),
    ...(options.seed === undefined ? {} : { seed: options.seed }),
    ...(options.timings ? { timings: options.timings } : {}),
  });
  if (options.seedWorld !== false) seedDemoWorld(world, { staleTestExecutor: options.staleTestExecutor ?? false });
  if (options.seedEks) seedEksCluster(world, options.seedEks === true ? {} : options.seedEks);
  const ec2 = createSimEc2(world, clock, faults);
  const write = options.write ?? ((line: string) => void process.stdout.write(`${line}\n`));
  return {
    world,
    clock,
    faults,
    ec2,
    ssm: createSimSsm(world, clock, faults, options.cannedScripts ? { cannedScripts: options.cannedScripts } : {}),
    dominoTiers: createSimDominoTiers(world, options.tierLabelField ? { labelField: options.tierLabelField } : {}),
    tierUsers: createSimTierUsers(world),
    dominoApi: createSimDominoApi(world, clock, ec2, faults),
    eks: createSimEks(world, clock, faults),
    launchTemplates: createSimLaunchTemplates(world, clock, faults),
    registry: createSimRegistry(world.registry),
    chat: createConsoleChat({
      write,
      clock,
      users: world.slack.users,
      groups: world.slack.groups,
      channels: world.slack.channels,
    }),
  };
}

function isFaults(value: SimulatorOptions['faults']): value is Faults {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && 'isOn' in value;
}
