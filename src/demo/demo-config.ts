import { type Config, loadConfig } from '../config.js';
import { DEMO_IDS } from '../sim/seed-demo-world.js';

export const DEMO_SIGNING_SECRET = 'demo-signing-secret-not-a-secret';

export type DemoKind = 'tiers' | 'eks';

/** The EKS demo's cluster (Domino's terraform names it after the deploy id; the config names it). */
export const DEMO_EKS_CLUSTER = 'domino-acme';
/** The EKS demo's test node group (the seed's, alone in its `test` pool) and the hardware tier on that pool. */
export const DEMO_EKS_TEST_NODEGROUP = 'test-us-west-2a';
export const DEMO_EKS_TEST_TIER = 'test-pool';

/** acme's deployment: Domino 3.x hardware tiers, or Domino 4+ on EKS (its compute pools' managed node groups). */
function deploymentYaml(kind: DemoKind): string {
  const images = `    images:
      - ${DEMO_IDS.images.base}
      - ${DEMO_IDS.images.standard}
      - ${DEMO_IDS.images.spark}
      - ${DEMO_IDS.images.nlp}
    # /ami bake --images auto: the base image always, then what acme's users ran most, under half the template's disk.
    imageSelection:
      baseImages: [${DEMO_IDS.images.base}]`;
  if (kind === 'eks') {
    return `  - name: acme
    kind: eks-node-groups
${images}
    eks:
      cluster: ${DEMO_EKS_CLUSTER}
      nodePools: [default, compute]
      # Listed by name too, so the plan shows why it never changes them (custom GPU AMI, no template, EKS's AMI).
      nodegroups: [gpu-us-west-2a, gpu-us-west-2b, platform, legacy-us-west-2a]
      # The AMI test: the test node group is pointed at the new AMI, the job runs on the hardware tier of its pool.
      testNodegroup: ${DEMO_EKS_TEST_NODEGROUP}
      testHardwareTier: ${DEMO_EKS_TEST_TIER}
`;
  }
  return `  - name: acme
${images}
    testTier: ${DEMO_IDS.testTierId}
    pinnedTiers: [${DEMO_IDS.pinnedTierId}]
`;
}

/** The configuration an admin of the "acme" deployment would write, for the simulated world. */
export function demoConfig(speed: number | undefined, kind: DemoKind = 'tiers'): Config {
  const yaml = `
sandbox: true
${speed === undefined ? '' : `simSpeed: ${speed}`}
logLevel: silent
opsChannels: [${DEMO_IDS.opsChannel}]
announceChannel: ${DEMO_IDS.announceChannel}
admins: [${DEMO_IDS.requester}, ${DEMO_IDS.approvers.join(', ')}]
approvers: { users: [${DEMO_IDS.requester}, ${DEMO_IDS.approvers[0]}], userGroup: ${DEMO_IDS.approverGroup} }
twoPersonRule: true
deployments:
${deploymentYaml(kind)}domino:
  apiUrl: https://domino.acme.example
  apiKey: demo-key
  testProjectId: ${DEMO_IDS.testProjectId}
  testEnvironmentId: ${DEMO_IDS.environments.standard}
`;
  return loadConfig(
    {
      SLACK_BOT_TOKEN: 'xoxb-demo_not_a_real_token',
      SLACK_SIGNING_SECRET: DEMO_SIGNING_SECRET,
      AMIBOT_CONFIG: 'demo.yaml',
    },
    () => yaml,
  );
}
