import { type Config, loadConfig } from '../config.js';
import { DEMO_IDS } from '../sim/seed-demo-world.js';

export const DEMO_SIGNING_SECRET = 'demo-signing-secret-not-a-secret';

/** The configuration an admin of the "acme" deployment would write, for the simulated world. */
export function demoConfig(speed: number | undefined): Config {
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
  - name: acme
    images:
      - ${DEMO_IDS.images.base}
      - ${DEMO_IDS.images.standard}
      - ${DEMO_IDS.images.spark}
      - ${DEMO_IDS.images.nlp}
    testTier: ${DEMO_IDS.testTierId}
    pinnedTiers: [${DEMO_IDS.pinnedTierId}]
domino:
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
