import { spawn } from 'node:child_process';
import { beforeAll, describe, expect, it } from 'vitest';
import { runDemo } from '../../src/demo/run-demo.js';
import { FAULT_NAMES, type FaultName } from '../../src/sim/faults.js';
import { createManualClock } from '../../src/sim/manual-clock.js';
import { DEMO_IDS } from '../../src/sim/seed-demo-world.js';

/** The lines from the banner `title` up to the next banner. */
function section(output: string, title: string): string {
  // A title ends at the banner's rule (`━━━ pat presses "Plan rollout" ━━━…`), so "Plan rollout" is not the
  // earlier "Plan rollout" before testing.
  const exact = output.indexOf(`━━━ ${title} ━`);
  const start = exact >= 0 ? exact : output.indexOf(`━━━ ${title}`);
  expect(start, `no section ${title}`).toBeGreaterThanOrEqual(0);
  const next = output.indexOf('━━━ ', start + title.length + 5);
  return output.slice(start, next === -1 ? undefined : next);
}

/** The in-process demo on a manual clock: time moves only while the demo waits for the bot. */
async function demo(fault?: string) {
  const lines: string[] = [];
  const clock = createManualClock(new Date());
  const result = await runDemo({ clock, write: (line) => lines.push(line), ...(fault ? { fault } : {}) });
  return { result, output: lines.join('\n') };
}

describe('npm run demo', () => {
  it('runs the lifecycle on the simulator and prints the AMI, the tier tables and a summary', async () => {
    const { result, output } = await demo();
    expect(result.ok).toBe(true);
    expect(result.bake?.status).toBe('succeeded');
    const { imageId, imageName } = result.bake!.facts;
    expect(imageName).toMatch(/^domino-acme-executor-\d{8}-\d{4}$/);
    expect(output).toContain(`AMI ${imageId} — ${imageName}`);
    expect(output).toContain('Hardware tiers before');
    expect(output).toContain('Hardware tiers after');
    expect(result.tiersBefore.join('\n')).toContain('GPU');
    expect(output).toContain('[ Test on test-tier ] [ Plan rollout ]');
    expect(output).toContain('template is stopped');
    // `/ami bake --images auto`: the base, then the most used images under half the template's 50 GiB root volume;
    // kofi's big TF1 image does not fit, and the bake pulls exactly the chosen four.
    // Shown first by /ami suggest, which bakes nothing.
    const preview = section(output, 'pat asks which images --images auto would bake');
    expect(preview).toContain('# Suggested images · acme');
    expect(preview).toContain('Nothing was baked. `/ami bake acme --images auto` bakes this list');
    expect(output).toContain(
      '/ami suggest: Suggested images for acme: 4 images, 18.12 GB of the 26.84 GB disk budget; about 22 h 14 min/week of pulling saved. Nothing was baked.',
    );
    const bakeSection = section(output, 'pat bakes a new executor AMI');
    expect(bakeSection).toContain('# Suggested images · acme');
    expect(bakeSection).toContain('4 images, 18.12 GB of the 26.84 GB disk budget');
    expect(bakeSection).toContain(
      '`registry.acme.example/ml/tf1-legacy:2020.03`: over the budget, would add 9.80 GB with 8.72 GB left',
    );
    expect(bakeSection).toContain(
      'Disk budget: 50% of the 50 GiB root volume of the executor template acme-executor-template',
    );
    expect(bakeSection).toContain('on the 3 tiers the AMI serves (Small, Medium, Large)');
    expect(result.bake!.images).toEqual([
      DEMO_IDS.images.base,
      DEMO_IDS.images.standard,
      DEMO_IDS.images.nlp,
      DEMO_IDS.images.spark,
    ]);
    expect(section(output, 'Quarterly review')).toContain(
      'To bake the suggested images: `/ami bake acme --images auto` (1 image left out, as listed above).',
    );
    expect(output).toContain('*Find the executor template* — ');
    // The demo runs on the simulated clock, and its messages say so: on this manual clock, that time is virtual
    // (no speed is true of it), never the configured ×N no clock ran at.
    expect(output).toContain(
      'simulated time (virtual: it moves only while the bot waits): times and durations are on the simulated clock',
    );
    expect(output).not.toMatch(/simulated time ×\d/);
    // Test: Pulling drops from minutes on the old AMI to about zero on the new one.
    // (On a loaded CI machine a stall of the process can be charged to the state being polled, so the bound
    // on the new AMI is "seconds, not minutes" rather than the 5 s pass threshold.)
    // The card shows "Pulling —" when the state was too short to be polled; the summary says the same, not "0 s".
    const pulling =
      /Test job Pulling: (\d+) s on the old AMI → (?:(\d+) s|under (\d+) s \(too short to be seen between two polls\)) on (ami-\w+) \((passed|failed)\)/.exec(
        output,
      );
    expect(pulling, output.slice(-3000)).not.toBeNull();
    expect(Number(pulling![1])).toBeGreaterThan(120);
    expect(Number(pulling![2] ?? pulling![3])).toBeLessThanOrEqual(20);
    expect(pulling![4]).toBe(imageId);
    expect(output).not.toMatch(/Pulling: \d+ s on the old AMI → 0 s/);
    // The gate: a plan before the test is refused, with what to do next, and leaves no trace.
    expect(output).toMatch(/Plan before the test refused by the gate \(changes stored: 0, messages posted: 0\)/);
    expect(output).toContain(`has not been tested: run \`/ami test ${result.bake!._id}\` first`);
    // The test proved where its job ran, and the test tier went back to its AMI.
    expect(output).toMatch(
      new RegExp(`The test job ran on i-\\w+, booted from ${imageId} for the test; the test tier is back on ami-`),
    );
    // Plan: the GPU tier on a special AMI and the pinned tier are skipped; users are told. The test tier, back on
    // the old standard AMI after its test, moves with the others (4 tiers; it used to stay on the new AMI: 3).
    expect(output).toMatch(
      /Plan chg-\S+: 4 tier\(s\) to change, 2 skipped \(GPU[^)]*\): special; Legacy \(pinned\): pinned\)/,
    );
    expect(output).toMatch(/by DM to [1-9]\d* user\(s\)/);
    // The summary names the announcement channel as the console Slack does.
    expect(output).toContain('posted in #domino-announce');
    expect(output).toContain('Announced in #domino-announce and by DM');
    expect(output).not.toContain('#announce ');
    // "List cached images" found 1 of the 4 images; the pull step does not then say "0 already cached".
    expect(output).toContain(
      '1 of 4 requested already there; 2 not in the list stay on the template and go into the AMI',
    );
    expect(output).toContain('4 pulled (');
    expect(output).toContain('1 of them already there, pulled again because tags move)');
    expect(output).not.toContain('0 already cached');
    // Two-person rule, then the second admin's approval applies exactly the plan.
    expect(output).toContain("pat's own approval was refused");
    expect(output).toContain('two-person rule');
    expect(output).toContain('Approved by sam; apply: applied, 4 applied, 0 conflicts, 4 verified.');
    expect(output).toMatch(/Drain: \d+ stopped executor\(s\)/);
    // The "Executors still on the old AMIs" section lists them instead of standing empty.
    const drainSection = section(output, 'Executors still on the old AMIs');
    expect(drainSection).toMatch(
      /Drain: [1-9]\d* stopped executor\(s\).*\(drain plan chg-\S+, posted in the thread above\)/,
    );
    expect(drainSection).toMatch(/i-\w+ {2}tier small-k8s {2}ami-\w+ {2}stopped/);
    // Sam's own answer to each approval is printed under the step it belongs to, not under the next one.
    expect(section(output, 'sam approves')).toContain('You approved chg-');
    expect(section(output, 'pat reverts')).toMatch(
      /You approved chg-\S+; applying now[\s\S]*Revert plan|Revert plan[\s\S]*You approved chg-/,
    );
    expect(section(output, 'Quarterly review')).not.toContain('You approved');
    expect(section(output, 'pat presses "Plan rollout"')).toMatch(
      /Planned chg-\S+: 4 tiers to change.*Who can approve: @sam/,
    );
    // The baseline's failed verdict on the current AMI is explained, not left looking like a fault.
    // The baseline tests the AMI the tier already runs: nothing on the tier changes, and the answer says so.
    expect(section(output, 'pat measures the current AMI')).toMatch(
      /AMI test tier already uses ami-\w+, so the tier is not changed/,
    );
    expect(section(output, 'pat measures the current AMI')).not.toContain('goes back to');
    expect(section(output, 'pat measures the current AMI')).toMatch(
      /a "failed" verdict is what this bake is for: the current AMI does not hold the environments' images, so the job spent \d+ s in Pulling/,
    );
    expect(output).toMatch(/Revert chg-\S+: applied, 4 tier\(s\) restored\./);
    expect(output).toContain('Quarterly review report posted');
    // The prune after the rollout: the inventory's numbers agree (4 AMIs x 100 GiB x $0.05), the one AMI nothing
    // uses is retired with its snapshots after a second person's approval, and every AMI in use is kept.
    const prune = section(output, 'pat looks at the AMIs the bakes left');
    expect(prune).toContain(
      '/ami images: AMIs of acme: 4 AMIs, 400 GiB of snapshots, ~$20.00/month (estimate); the policy (keep the last 3, and anything younger than 90 days) would retire 1 AMI.',
    );
    expect(prune).toMatch(
      /domino-acme-executor-20260302-1000: \d+ d, 100 GiB, ~\$5\.00\/month; not in use; would be retired/,
    );
    expect(prune).toMatch(/domino-acme-executor-20260815-0900: .*protected \(24 h cooldown\); used by tier Small/);
    expect(prune).toContain('pat presses Approve on their own prune: :warning: @pat planned prune');
    expect(prune).toMatch(
      /report in the prune's thread: Prune `prn-\S+` applied: 1 AMI retired, 2 snapshots deleted, 0 items kept/,
    );
    expect(output).toMatch(
      /Prune prn-\S+ approved by sam \(not by its requester\): 1 AMI retired, 2 snapshots deleted; March's ami-\w+ is gone/,
    );
    // The tier table: the standard tiers moved to the new AMI, the GPU tier did not.
    const after = result.tiersAfter.join('\n');
    expect(after.match(new RegExp(imageId!, 'g'))?.length).toBe(4);
    expect(after).toMatch(/GPU.*ubuntu-16\.04-gpu-custom/);
  }, 90_000);

  it('refuses an unknown fault name, listing the known ones', async () => {
    await expect(demo('meteor-strike')).rejects.toThrow(
      /Unknown simulator fault: meteor-strike\. Known faults: image-failed/,
    );
  });
});

describe('npm run demo -- --kind eks', () => {
  it('runs the lifecycle on EKS node groups: containerd bake, test on the test node group, apply, verify, drain, revert', async () => {
    const lines: string[] = [];
    const result = await runDemo({
      clock: createManualClock(new Date()),
      kind: 'eks',
      write: (line) => lines.push(line),
    });
    const output = lines.join('\n');
    expect(result.ok, output.slice(-3000)).toBe(true);
    const { imageId } = result.bake!.facts;
    // --images auto on EKS: runs on the tiers of the pools the AMI serves, words of nodes, the diff against the AMI
    // of August's recorded bake, and no orphan for it.
    expect(output).toContain(
      'on the 3 tiers of the node pools the AMI serves, compute, default (Small, Large, Default)',
    );
    expect(output).toContain('each assumed to pull on a new node at');
    expect(output).toContain('*Against the AMI most standard node groups use now (');
    expect(output).toContain('Orphan sweep: 0 orphans');
    // The bake: ctr detected on the node template (so its steps call it), provisioning skipped.
    expect(output).toContain('*Find the node template* — ');
    expect(output).not.toContain('executor template');
    expect(output).toContain('List cached images (containerd, ctr)* — containerd, ctr detected');
    expect(output).toContain(
      "Container runtime detected on the node template: ctr (images pulled into containerd's k8s.io namespace); provisioning: skipped",
    );
    // The test on the test node group: switched to the new AMI (version 2, its node replaced by one launched from
    // the AMI), the job proven on that node, the node group back on the old AMI (version 3).
    const testRun = section(output, 'What EKS did to the test node group test-us-west-2a');
    expect(testRun).toMatch(
      new RegExp(
        `test-us-west-2a: UPDATING to launch template version 2 \\(update [\\w-]+\\) → Successful; EKS drained i-\\w+ \\(ami-\\w+\\) and replaced it with (i-\\w+) \\(${imageId}\\); now ACTIVE`,
      ),
    );
    expect(testRun).toMatch(/test-us-west-2a: UPDATING to launch template version 3 .*→ Successful/);
    const testNode = testRun.match(/replaced it with (i-\w+) \(ami-\w+\); now ACTIVE/)![1]!;
    expect(testRun).toContain(`ran on hardware tier test-pool on node ${testNode}, launched `);
    expect(testRun).toMatch(new RegExp(`versions: v1 (ami-\\w+) → v2 ${imageId} → v3 \\1; now on v3\\.`));
    expect(output).toMatch(new RegExp(`Test test-\\S+ of ${imageId}: passed; job \\w+ ran on hardware tier test-pool`));
    expect(output).toContain('Test node group test-us-west-2a: switched to the new AMI and restored');
    // The gate: the passed test is the plan's test; nothing overrides it.
    expect(output).not.toContain('--override-test');
    expect(output).not.toContain('Not tested');
    expect(section(output, 'pat accepts the Terraform drift and plans again')).toMatch(
      /:white_check_mark: \*Tested\*: test-\S+ passed/,
    );
    expect(output).toMatch(/Gate: tested by test-\S+ \(no override\)\./);
    // Terraform manages the seed's launch templates: the first plan is refused with the variables to set, the second
    // accepts the drift, and the plan shows it.
    expect(section(output, 'pat plans the rollout to the node groups')).toContain(
      'the change will drift from the Terraform state',
    );
    expect(output).toMatch(
      /First plan refused for Terraform drift \(changes stored: 0\), with the variables to set: 4 node group\(s\)/,
    );
    expect(section(output, 'pat accepts the Terraform drift and plans again')).toContain('*Drifts from Terraform*');
    expect(output).toMatch(
      /Plan chg-\S+: 4 node group\(s\) to change, 4 skipped \(gpu-us-west-2a: its AMI \S+ \(`domino-eks-gpu-node-custom`\) was not made by this pipeline; gpu-us-west-2b: [^;]+; legacy-us-west-2a: runs the EKS-managed AMI type AL2_x86_64; platform: has no launch template/,
    );
    expect(output).toContain('Planned chg-');
    expect(output).toContain('4 node groups to change, 4 skipped');
    expect(output).toContain('*Node image change on acme*');
    expect(output).toContain("pat's own approval was refused");
    // Apply: each node group UPDATING to version 2, Successful, its node replaced by one from the new AMI.
    const updates = section(output, 'What EKS did, node group by node group');
    for (const name of ['compute-us-west-2a', 'compute-us-west-2b', 'default-us-west-2a', 'default-us-west-2b']) {
      expect(updates).toMatch(
        new RegExp(
          `${name}: UPDATING to launch template version 2 \\(update [\\w-]+\\) → Successful; EKS drained i-\\w+ \\(ami-\\w+\\) and replaced it with i-\\w+ \\(${imageId}\\); now ACTIVE`,
        ),
      );
    }
    expect(output).toContain('Approved by sam; apply: applied, 4 node group(s) updated, 0 conflicts, 4 verified.');
    expect(output).toContain(`Verified on EKS: 4/4 node group(s) on a new launch template version with ${imageId}`);
    // The tables: gpu, platform and legacy untouched, test back on the old AMI; the standard pools on version 2 of their template.
    const after = result.tiersAfter.join('\n');
    expect(after.match(new RegExp(`v2  ${imageId}`, 'g'))?.length).toBe(4);
    expect(after).toMatch(/gpu-us-west-2a +gpu +ACTIVE +lt-\w+ v1 +ami-\w+ +domino-eks-gpu-node-custom/);
    expect(after).toMatch(/platform +platform +ACTIVE +\(none\) +\(EKS: AL2_x86_64\)/);
    // Drain: EKS drained the nodes itself; nothing to terminate, no drain change.
    expect(output).toContain(
      'EKS drained and replaced the nodes itself; nothing to terminate; drain changes planned: 0',
    );
    // Revert: a third version with the recorded AMI, through the same approval.
    expect(section(output, 'What EKS did for the revert')).toContain('UPDATING to launch template version 3');
    expect(output).toMatch(
      /Revert chg-\S+: applied; a new launch template version with the recorded AMI ami-\w+ on 4\/4 node group\(s\)/,
    );
    // Words of the kind: the admins' messages never call a node group a tier nor its AMI an executor image (the
    // users' announcement names the hardware tiers that run on each pool: those are tiers).
    const adminLines = output
      .split('\n')
      .filter((line) =>
        /Planned chg-|node groups changed|node group\(s\) changed|current AMI \(|Drain after|Sets \d/.test(line),
      );
    expect(adminLines.length).toBeGreaterThanOrEqual(8);
    for (const line of adminLines) expect(line).not.toMatch(/\btiers?\b|tier\(s\)|executor image/);
    expect(section(output, 'pat plans the rollout to the node groups')).not.toContain('executor image');
    // The quarterly review lists the node groups by the AMI their launch templates name (not Domino's tiers, which
    // carry no AMI on EKS) and speaks of node AMIs and nodes; `/ami images` names the node groups that use an AMI.
    const review = section(output, 'Quarterly review');
    expect(review).toMatch(/\*Node groups by AMI\* \(8 node groups on 2 AMIs\)/);
    expect(review).toMatch(/8 node groups: 4 standard, 4 special/);
    expect(review).toContain('*standard* (ami-bot tags): compute-us-west-2a (pool compute), compute-us-west-2b');
    expect(review).toContain('• no AMI id — age unknown, *special* (has no launch template: EKS chooses its AMI');
    expect(review).toContain('already on every new node.');
    expect(review).not.toContain('Hardware tiers');
    expect(section(output, 'pat looks at the AMIs the bakes left')).toContain('used by node group compute-us-west-2a');
  }, 90_000);

  it('refuses a kind it does not know, naming the two it does', async () => {
    const { code, output } = await demoProcess(['--kind', 'k8s']);
    expect(code).toBe(2);
    expect(output).toContain('--kind k8s: expected eks (Domino 4+ on EKS node groups) or tiers (the default).');
  });
});

/** What each fault must show in the output of `npm run demo -- --fault <name>` (besides exit 0). */
const FAULT_LINES: Record<FaultName, Array<string | RegExp>> = {
  'image-failed': ['AWS reports the AMI', 'as failed', 'AMIs from this bake still registered: 0; template is stopped'],
  'pull-failed': [/Could not pull 4 image\(s\): .*manifest unknown/, 'AMIs from this bake still registered: 0'],
  'pull-flaky': [
    /pulled `quay\.io\/domino\/base:\S+` in \d+ s \(attempt 2\)/,
    'Flaky registry: 4 of 4 pull(s) timed out on the first attempt and were retried',
    'Bake bake-',
    'AMIs from this bake still registered: 1',
  ],
  'highstate-failed': ['Failed states:', /Bake bake-\S+: failed \(salt-call state\.highstate failed/],
  'ssm-offline': ['did not come online within 15 min', 'AMIs from this bake still registered: 0; template is stopped'],
  'ssm-timeout': ['did not finish within 60 min', 'AMIs from this bake still registered: 0'],
  'domino-job-failed': [
    ':x: The job ended Failed before it was Running.',
    /AMI test test-\S+: failed .*The demo stops here: no rollout is planned for an AMI whose test did not pass\./,
  ],
  'domino-api-down': [
    'The Domino API is unreachable (simulated outage)',
    /AMI test test-\S+: error .*The demo stops here: no rollout is planned/,
  ],
  'aws-throttle': [/AWS throttling: [1-9]\d* EC2\/SSM call\(s\) answered late \([1-9]\d* s of back-off in all\)/],
  'crash-mid-bake': [
    'ami-bot-1 crashes',
    ':arrows_counterclockwise: ami-bot restarted and resumed this bake at *salt-call state.highstate*',
    'resumed by ami-bot-2; highstate sent 1 time(s)',
    'registered: 1',
  ],
};

/** `npm run demo -- --fault <name>` as a process, at the speed the in-process fault runs used. */
function demoProcess(args: string[]): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/demo.ts', ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, output }));
  });
}

describe('npm run demo -- --fault <name>, every fault the help lists', () => {
  const runs = new Map<string, { code: number | null; output: string }>();
  let help = '';

  beforeAll(async () => {
    help = (await demoProcess(['--help'])).output;
    // Two at a time: each run is a few seconds of (scaled) simulation; the machine has 2 cores.
    const queue = Object.keys(FAULT_LINES);
    const lane = async () => {
      for (let name = queue.shift(); name; name = queue.shift()) {
        runs.set(name, await demoProcess(['--fault', name, '--speed', '1500']));
      }
    };
    await Promise.all([lane(), lane()]);
  }, 150_000);

  it('the help lists exactly the faults checked here', () => {
    const listed = [...help.matchAll(/^ {2}(\S+) {2,}/gm)].map((m) => m[1]);
    expect(listed).toEqual(Object.keys(FAULT_NAMES));
    expect(Object.keys(FAULT_LINES).sort()).toEqual(Object.keys(FAULT_NAMES).sort());
  });

  it.each(Object.entries(FAULT_LINES))('--fault %s shows its own path and exits 0', (name, lines) => {
    const run = runs.get(name)!;
    expect(run.code, run.output.slice(-3000)).toBe(0);
    expect(run.output).toMatch(/Demo finished in [\d.]+ s\./);
    // The demo as a user runs it says the speed its scaled clock runs at (the in-process runs are on virtual time).
    expect(run.output).toContain('simulated time ×1500: times and durations are on the simulated clock');
    for (const line of lines) {
      if (typeof line === 'string') expect(run.output).toContain(line);
      else expect(run.output).toMatch(line);
    }
    // A fault run stops at its bake or its test: it never plans a rollout.
    expect(run.output).not.toContain('Rollout plan');
  });
});
