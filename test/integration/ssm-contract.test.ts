// The SSM port contract, run against the simulator and against the real adapter. moto runs no SSM command, so the
// adapter's peer is SSM scripted with aws-sdk-client-mock (test/support/scripted-ssm.ts), answering like SSM does.
import { createSsmAdapter } from '../../src/adapters/aws/ssm-adapter.js';
import { inventoryScript } from '../../src/bake/ssm-scripts.js';
import { createManualClock, createSimulator, EXECUTOR_GROUP_TAG } from '../../src/sim/index.js';
import { CONTRACT_SCRIPTS, ssmPortContract } from '../contract/ssm-port.contract.js';
import { createScriptedSsm, type ScriptOutcome } from '../support/scripted-ssm.js';

const joined = (commands: readonly string[]) => commands.join('\n');

/** What a host does with the contract's own scripts; both the simulator and the scripted SSM answer with it. */
function contractOutcome(commands: readonly string[]): ScriptOutcome | undefined {
  switch (joined(commands)) {
    case joined(CONTRACT_SCRIPTS.failing):
      return { exitCode: 3, stdout: 'to-stdout\n', stderr: 'oops\n' };
    case joined(CONTRACT_SCRIPTS.bigOutput):
      return { exitCode: 0, stdout: `${'x'.repeat(30_000)}\n`, stderr: `${'e'.repeat(9_000)}\n` };
    case joined(CONTRACT_SCRIPTS.fullOutput):
      return { exitCode: 0, stdout: `${'x'.repeat(23_999)}\n` };
    case joined(CONTRACT_SCRIPTS.hang):
      return 'hang';
    case joined(CONTRACT_SCRIPTS.quick):
      return { exitCode: 0 };
    default:
      return undefined;
  }
}

// The simulator models the bot's own scripts (the inventory here); the contract's are canned, as on the scripted SSM.
ssmPortContract('simulator', async () => {
  const clock = createManualClock();
  const sim = createSimulator({ clock, write: () => {}, cannedScripts: contractOutcome });
  const instances = [...sim.world.instances.values()];
  const template = instances.find((i) => i.tags.Name === 'acme-executor-template')!;
  const stopped = instances.find((i) => i.tags[EXECUTOR_GROUP_TAG] && i.state === 'stopped')!;
  // The demo's template is stopped: start it and wait for its agent, as the bake does.
  await sim.ec2.startInstance(template.id);
  for (let i = 0; i < 30 && !(await sim.ssm.isAgentOnline(template.id)); i++) await clock.advance(10_000);
  return {
    ssm: sim.ssm,
    seed: { instanceId: template.id, cachedImages: [...template.dockerImages.keys()], offlineInstanceId: stopped.id },
    advance: () => clock.advance(5_000),
  };
});

const CACHED = [
  'quay.io/domino/base:DED_py3.6_R3.4_23052018',
  'quay.io/domino/compute-environment-images:ubuntu20-py3.9-r4.2-domino5.5-standard',
];
const digest = (n: number) => `sha256:${String(n).repeat(64).slice(0, 64)}`;

/** What the scripted host answers to the bake's inventory and to the contract's own scripts. */
function runOnHost(commands: string[]): ScriptOutcome {
  if (joined(commands) === joined(inventoryScript()))
    return {
      exitCode: 0,
      stdout: `${CACHED.map((ref, i) => `${ref}@${digest(i + 1)}`).join('\n')}\n<none>:<none>@<none>\n`,
    };
  return contractOutcome(commands) ?? { exitCode: 127, stderr: `${commands[0]}: command not found\n` };
}

ssmPortContract('real adapter on scripted SSM (aws-sdk-client-mock)', async () => {
  const instanceId = 'i-0a1b2c3d4e5f60718';
  const offlineInstanceId = 'i-0f1e2d3c4b5a69788';
  const scripted = createScriptedSsm({ online: [instanceId], offline: [offlineInstanceId], run: runOnHost });
  return {
    ssm: createSsmAdapter(scripted.client),
    seed: { instanceId, cachedImages: CACHED, offlineInstanceId },
    advance: scripted.advance,
  };
});
