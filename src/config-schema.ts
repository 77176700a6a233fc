import { z } from 'zod';
import { isValidScriptPath, scriptPathProblem } from './shared/script-path.js';

/**
 * The shape of ami-bot's configuration (YAML file and environment merged).
 * Kept apart from config.ts so the schema can be read without touching the environment.
 */

const channelId = z.string().regex(/^[CGD][A-Z0-9]{2,}$/, { error: 'expected a Slack channel id such as C0123ABCD' });
const userId = z.string().regex(/^[UW][A-Z0-9]{2,}$/, { error: 'expected a Slack user id such as U0123ABCD' });
const userGroupId = z.string().regex(/^S[A-Z0-9]{2,}$/, { error: 'expected a Slack user group id such as S0123ABCD' });
/** A deployment's name; `/ami images` and `/ami prune` check a typed one against it too. */
export const DEPLOYMENT_NAME_PATTERN = /^[a-z0-9][a-z0-9-]{0,62}$/;
const deploymentName = z
  .string()
  .regex(DEPLOYMENT_NAME_PATTERN, { error: 'expected a lowercase deployment name (letters, digits, dashes)' });
const timeZone = z
  .string()
  .refine(isValidTimeZone, { error: 'expected an IANA time zone such as UTC or Europe/Berlin' });
const positive = z.number().positive({ error: 'expected a positive number' });
const positiveInt = z.number().int().positive({ error: 'expected a positive whole number' });

export function isValidTimeZone(value: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: value });
    return true;
  } catch {
    return false;
  }
}

export const DEFAULT_REVIEW_SCHEDULE = '0 9 1 1,4,7,10 *';

const reviewSchema = z
  .object({
    schedule: z.string().min(1).default(DEFAULT_REVIEW_SCHEDULE),
    timeZone: timeZone.optional(),
    followUpDays: positive.default(7),
    maxFollowUps: z.number().int().min(0).default(3),
    catchUpGraceHours: positive.default(6),
  })
  .strict();

/** What the AMI lifecycle keeps of a deployment's baked AMIs (issue 16); references are always kept besides. */
const retentionSchema = z
  .object({
    /** The newest N available AMIs are kept whatever their age. */
    keepLast: z.number().int().min(1, { error: 'expected at least 1: the newest AMI is always kept' }).default(3),
    /** AMIs younger than this are kept whatever their rank. */
    keepDays: z.number().min(0, { error: 'expected 0 or more days' }).default(90),
    /** EBS snapshot storage price (USD per GB-month) for the inventory's cost estimate; us-east-1 standard tier. */
    pricePerGbMonth: z.number().min(0).default(0.05),
    /** Superseded AMIs get an EC2 deprecation time this many days ahead; unset = off (the default). */
    deprecateAfterDays: positive.optional(),
    /** The target and revert AMIs of this many recent changes count as references (besides every open change). */
    recentChanges: positiveInt.default(5),
    /** EnableImageDeregistrationProtection WithCooldown (24 h) for the AMIs tiers use. */
    protectWithCooldown: z.boolean().default(true),
  })
  .strict();

/** What a deployment's "tiers" are: Domino 3.x hardware tiers in MongoDB, or Domino 4+ node pools on EKS. */
export const DEPLOYMENT_KINDS = ['hardware-tiers', 'eks-node-groups'] as const;
export type DeploymentKind = (typeof DEPLOYMENT_KINDS)[number];

/** The container runtimes a bake can pull images with on the template (docker, or containerd through its CLIs). */
export const CONTAINER_RUNTIMES = ['docker', 'nerdctl', 'ctr'] as const;
export type ContainerRuntime = (typeof CONTAINER_RUNTIMES)[number];
/** A runtime, or `auto`: the bake detects the one on the template. */
export type ContainerRuntimeChoice = ContainerRuntime | 'auto';

/** EKS names: a letter or digit first, then letters, digits, `-` and `_` (EKS's own rule). */
const eksName = (what: string, max: number) =>
  z.string().regex(new RegExp(`^[0-9A-Za-z][A-Za-z0-9_-]{0,${max - 1}}$`), {
    error: `expected an EKS ${what} name (letters, digits, - and _, at most ${max} characters)`,
  });

const eksSchema = z
  .object({
    cluster: eksName('cluster', 100),
    nodegroups: z.array(eksName('node group', 63)).default([]),
    /** Node pools by the value of `nodePoolLabel` on the node groups: every node group of these pools. */
    nodePools: z.array(z.string().min(1, { error: 'expected a node pool name' })).default([]),
    nodePoolLabel: z.string().min(1).default('dominodatalab.com/node-pool'),
    /**
     * The node group the AMI test switches to the AMI under test: the only node group of its node pool, so the
     * test job (on `testHardwareTier`) can land nowhere else.
     */
    testNodegroup: eksName('node group', 63).optional(),
    /** The Domino hardware tier whose node pool is the test node group's pool: the test job is started on it. */
    testHardwareTier: z.string().min(1, { error: 'expected a Domino hardware tier id' }).optional(),
    /** UpdateNodegroupVersion's `force` (replace nodes even when pods cannot be drained): only if the admin asks. */
    force: z.boolean().default(false),
    /** Launch template tag keys whose presence means Terraform manages it (the plan warns of drift). */
    terraformTagKeys: z.array(z.string().min(1)).default(['terraform', 'managed-by', 'tf:managed']),
    /** Work running on a pool's nodes when they are replaced: evicted (said in the thread), or wait until idle. */
    runningWork: z.enum(['evict', 'wait-idle'], { error: 'expected evict or wait-idle' }).default('evict'),
  })
  .strict()
  .refine((eks) => eks.nodegroups.length > 0 || eks.nodePools.length > 0, {
    error: 'expected at least one node group (eks.nodegroups) or node pool (eks.nodePools) to roll out to',
    path: ['nodegroups'],
  })
  .refine((eks) => (eks.testNodegroup === undefined) === (eks.testHardwareTier === undefined), {
    error:
      'expected eks.testNodegroup and eks.testHardwareTier together: the test node group, and the Domino hardware tier whose node pool it serves (the test job runs on that tier)',
    path: ['testHardwareTier'],
  });

const scriptPath = z.string().refine(isValidScriptPath, {
  error: (issue) => `expected an absolute path to a script on the template: ${scriptPathProblem(String(issue.input))}`,
});

const provisionSchema = z.union(
  [z.literal('salt-highstate'), z.literal('none'), z.object({ script: scriptPath }).strict()],
  { error: 'expected salt-highstate, none or {script: /absolute/path/on/the/template}' },
);

/** How the template is provisioned before the snapshot: salt, a fixed script on the template, or nothing. */
export type Provision = z.infer<typeof provisionSchema>;

const deploymentSchema = z
  .object({
    /** Default hardware-tiers (Domino 3.x executors); eks-node-groups needs the `eks` block. */
    kind: z.enum(DEPLOYMENT_KINDS, { error: 'expected hardware-tiers or eks-node-groups' }).default('hardware-tiers'),
    eks: eksSchema.optional(),
    /** Unset: docker for hardware-tiers, auto (detected on the template) for eks-node-groups (bake/template-runtime.ts). */
    containerRuntime: z
      .enum([...CONTAINER_RUNTIMES, 'auto'], { error: 'expected docker, nerdctl, ctr or auto' })
      .optional(),
    /** Unset: salt-highstate for hardware-tiers, none for eks-node-groups (bake/template-runtime.ts). */
    provision: provisionSchema.optional(),
    name: deploymentName,
    /** Glob on the template's Name tag; `{deployment}` is this deployment's name (so two deployments never match one). */
    templateNamePattern: z.string().min(1).default('*{deployment}*executor-template*'),
    images: z.array(z.string()).default([]),
    testTier: z.string().min(1, { error: 'expected a hardware tier id (leave it unset for no test tier)' }).optional(),
    pinnedTiers: z.array(z.string()).default([]),
    tierLabelField: z.string().min(1).default('name'),
    /** EC2 tags that mark this deployment's executors (value `*` = any value); `{tier}` is replaced by the tier id. */
    executorTags: z.record(z.string(), z.string()).default({ 'domino-executor-group': '{tier}' }),
    /**
     * EC2 tags every executor of THIS deployment carries (`{deployment}` is its name), required besides the tier
     * tag: tier ids repeat across deployments sharing an account and region. At least one tag.
     */
    executorScopeTags: z
      .record(z.string(), z.string())
      .refine((tags) => Object.keys(tags).length > 0, {
        error:
          'expected at least one tag that marks this deployment’s executors, e.g. {domino-deployment: "{deployment}"}',
      })
      .default({ 'domino-deployment': '{deployment}' }),
    review: reviewSchema.prefault({}),
    /** `/ami bake --images auto`: which images to bake, chosen from Domino's runs (src/selection). */
    imageSelection: z
      .object({
        /** Always baked, whatever the budget (the base images environments are built on). */
        baseImages: z.array(z.string()).default([]),
        /** Runs of the last N days count (Domino's Image Caching Service uses two weeks). */
        windowDays: positiveInt.max(366).default(14),
        /**
         * The budget is `diskShare` of the template's root volume, read from EC2 when the suggestion is made;
         * this overrides its size. `diskBudgetGiB` overrides both.
         */
        rootVolumeGiB: positive.optional(),
        diskShare: z
          .number()
          .gt(0)
          .max(1, { error: 'expected a share of the root volume, 0 < share ≤ 1' })
          .default(0.5),
        diskBudgetGiB: positive.optional(),
        /** What a new executor pulls at, in MB/s (10^6 bytes): turns bytes not pulled into seconds saved. */
        bandwidthMBps: positive.default(50),
        /** The most used images considered (each costs one manifest read). */
        maxCandidates: positiveInt.max(200).default(30),
      })
      .strict()
      .prefault({}),
    retention: retentionSchema.prefault({}),
  })
  .strict()
  .check((ctx) => {
    const { kind, eks } = ctx.value;
    if (kind === 'eks-node-groups' && eks === undefined) {
      ctx.issues.push({
        code: 'custom',
        input: eks,
        path: ['eks'],
        message: 'required when kind is eks-node-groups: {cluster: <name>, nodegroups: [...] or nodePools: [...]}',
      });
    }
    if (kind === 'hardware-tiers' && eks !== undefined) {
      ctx.issues.push({
        code: 'custom',
        input: eks,
        path: ['eks'],
        message: 'only read when kind is eks-node-groups: set kind: eks-node-groups, or remove eks',
      });
    }
  });

export type RetentionConfig = z.infer<typeof retentionSchema>;

export const configSchema = z
  .object({
    slack: z
      .object({
        botToken: z.string().regex(/^xoxb-/, { error: 'expected a bot token starting with xoxb-' }),
        signingSecret: z.string().min(8, { error: 'expected the app signing secret' }).optional(),
        appToken: z
          .string()
          .regex(/^xapp-/, { error: 'expected an app-level token starting with xapp-' })
          .optional(),
        apiUrl: z.url({ error: 'expected an http(s) URL ending in /api/' }).optional(),
        port: z.number().int().min(0).max(65535, { error: 'expected a TCP port 0–65535' }).default(3000),
      })
      .strict(),
    mongo: z
      .object({
        dominoUri: z
          .string()
          .regex(/^mongodb(\+srv)?:\/\//, { error: 'expected a mongodb:// URI' })
          .optional(),
        dominoDatabase: z.string().min(1).default('domino'),
        stateUri: z
          .string()
          .regex(/^mongodb(\+srv)?:\/\//, { error: 'expected a mongodb:// URI' })
          .optional(),
        stateDatabase: z.string().min(1).default('ami_bot'),
        tierCollection: z.string().min(1).default('executor_group_configuration'),
      })
      .strict(),
    opsChannels: z.array(channelId).min(1, { error: 'expected at least one ops channel id' }),
    announceChannel: channelId.optional(),
    admins: z.array(userId).min(1, { error: 'expected at least one admin user id' }),
    approvers: z
      .object({ users: z.array(userId).default([]), userGroup: userGroupId.optional() })
      .strict()
      .prefault({}),
    twoPersonRule: z.boolean().default(true),
    approvalTtlHours: positive.default(24),
    timeZone: timeZone.default('UTC'),
    deployments: z.array(deploymentSchema).min(1, { error: 'expected at least one deployment' }),
    bake: z
      .object({
        pullConcurrency: positiveInt.max(16).default(3),
        pullRetries: z.number().int().min(0).max(10).default(2),
        highstateTimeoutMinutes: positive.default(60),
        pullTimeoutMinutes: positive.default(30),
        instanceReadyMinutes: positive.default(15),
        imageWaitHours: positive.default(4),
        imagePollMinSeconds: positive.default(2),
        // 3 s keeps "available" visible within ~2 s (median) at ~0.3 DescribeImages/s per bake: see docs/PERFORMANCE.md.
        imagePollMaxSeconds: positive.default(3),
        commandPollSeconds: positive.default(2),
        leaseSeconds: positive.default(60),
      })
      .strict()
      .prefault({}),
    domino: z
      .object({
        apiUrl: z.url({ error: 'expected the Domino base URL, e.g. https://domino.example.com' }).optional(),
        apiKey: z.string().min(1).optional(),
        testProjectId: z.string().min(1).optional(),
        testEnvironmentId: z.string().min(1).optional(),
        testCommand: z.string().min(1).default('sleep 5'),
        pullPassSeconds: positive.default(5),
        testTimeoutMinutes: positive.default(45),
        /** How often a test polls the job's state: the resolution of the per-state seconds. */
        testPollSeconds: positive.default(2),
        tierUsers: z
          .object({
            collection: z.string().min(1).default('runs'),
            tierField: z.string().min(1).default('hardwareTierId'),
            emailField: z.string().min(1).default('starterEmail'),
            timeField: z.string().min(1).default('submissionTime'),
            lookbackDays: positive.default(90),
            /** Environments in use (review report): the run's environment, and its image if runs record it. */
            environmentField: z.string().min(1).default('environmentId'),
            imageField: z.string().min(1).optional(),
          })
          .strict()
          .prefault({}),
      })
      .strict()
      .prefault({}),
    /** Container registries the bot reads manifests from (image selection); credentials per host. */
    registries: z
      .object({
        hosts: z
          .array(
            z
              .object({
                /** As image references name it: `quay.io`, `docker.io`, `registry.example.com:5000`. */
                host: z.string().regex(/^[a-z0-9]([a-z0-9.-]*[a-z0-9])?(:[0-9]{1,5})?$/i, {
                  error: 'expected a registry host such as quay.io or registry.example.com:5000',
                }),
                username: z.string().min(1).optional(),
                /** The environment variable holding the password or token; config.ts reads it into `password`. */
                passwordEnv: z
                  .string()
                  .regex(/^[A-Z_][A-Z0-9_]*$/, { error: 'expected an environment variable name such as QUAY_TOKEN' })
                  .optional(),
                /** Set only by config.ts from `passwordEnv` (a password written in the file is refused). */
                password: z.string().min(1).optional(),
                /** Plain HTTP, as Docker's insecure-registries (a private or loopback registry). */
                insecure: z.boolean().default(false),
              })
              .strict(),
          )
          .default([]),
        timeoutSeconds: positive.default(20),
      })
      .strict()
      .prefault({}),
    rollout: z
      .object({
        /** How often open changes are checked (expiry, maintenance window, reminder, crashed applies). */
        scanSeconds: positive.default(30),
        reminderMinutesBefore: positive.default(60),
        /** An apply attempt older than this is taken over (its process died). */
        applyStaleMinutes: positive.default(10),
        /** A maintenance window given only its start (`--at`) lasts this long; an apply not started by its end expires. */
        windowMinutes: positive.default(120),
        /** Without a window, an approved change whose apply has not started this long after the approval expires. */
        maxApprovalAgeMinutes: positive.default(60),
        /**
         * DM lanes. A 429 parks only the lane that got it (for Retry-After), so with few lanes a handful of 429s
         * idles the whole announcement; 16 kept 2,000 DMs within 1.1x of a 100/s limit (docs/PERFORMANCE.md).
         */
        dmConcurrency: positiveInt.max(50).default(16),
        /** Email lookups feed the DM lanes as they resolve; a 429 parks one lane, so several lanes. */
        lookupConcurrency: positiveInt.max(64).default(16),
      })
      .strict()
      .prefault({}),
    sandbox: z.boolean().default(false),
    simSpeed: positive.default(60),
    logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  })
  .strict();

export type Config = z.infer<typeof configSchema>;
export type DeploymentConfig = Config['deployments'][number];
export type ConfigInput = z.input<typeof configSchema>;
