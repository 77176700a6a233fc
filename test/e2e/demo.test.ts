import { describe, expect, it } from 'vitest';
import { runDemo } from '../../src/demo/run-demo.js';

async function demo(fault?: string) {
  const lines: string[] = [];
  const result = await runDemo({ speed: 1_500, write: (line) => lines.push(line), ...(fault ? { fault } : {}) });
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
  }, 60_000);

  it('--fault image-failed: the bake fails cleanly, nothing left registered', async () => {
    const { result, output } = await demo('image-failed');
    expect(result.ok).toBe(true);
    expect(result.bake?.status).toBe('failed');
    expect(output).toContain('AMIs from this bake still registered: 0; template is stopped');
  }, 60_000);

  it('--fault highstate-failed: names the failed states', async () => {
    const { result, output } = await demo('highstate-failed');
    expect(result.bake?.error?.code).toBe('highstate_failed');
    expect(output).toContain('Failed states:');
  }, 60_000);

  it('--fault crash-mid-bake: a second process resumes; one AMI, one highstate', async () => {
    const { result, output } = await demo('crash-mid-bake');
    expect(result.ok).toBe(true);
    expect(output).toContain('resumed by ami-bot-2; highstate sent 1 time(s)');
    expect(output).toContain('AMIs from this bake still registered: 1');
  }, 60_000);

  it('refuses an unknown fault name, listing the known ones', async () => {
    await expect(demo('meteor-strike')).rejects.toThrow(
      /Unknown simulator fault: meteor-strike\. Known faults: image-failed/,
    );
  });
});
