import { describe, expect, it } from 'vitest';
import { createMemoryStateStore } from '../../src/adapters/memory/memory-state-store.js';
import { configSchema } from '../../src/config-schema.js';
import { gatherReport } from '../../src/review/gather-report.js';
import { createSilentLogger } from '../../src/shared/logger.js';
import { text } from '../../src/shared/text.js';
import { createFaults } from '../../src/sim/faults.js';
import { createManualClock } from '../../src/sim/manual-clock.js';
import { createSimEc2 } from '../../src/sim/sim-ec2.js';
import { createSimWorld } from '../../src/sim/sim-world.js';
import { adviceSection, suggestedImagesSections } from '../../src/slack/blocks/review-sections.js';
import { sampleReport } from '../support/sample-review.js';
import { sampleSuggestion } from '../support/sample-suggestion.js';

const config = configSchema.parse({
  slack: { botToken: 'xoxb-test' },
  mongo: {},
  opsChannels: ['C0OPS00001'],
  admins: ['U0ADMIN01'],
  deployments: [{ name: 'acme', images: ['a:1'] }],
});

const clock = createManualClock(new Date('2026-10-01T07:00:00Z'));
const sources = (suggestImages?: Parameters<typeof gatherReport>[0]['suggestImages']) => ({
  config,
  store: createMemoryStateStore(),
  ec2: createSimEc2(createSimWorld(), clock, createFaults([])),
  clock,
  logger: createSilentLogger(),
  ...(suggestImages ? { suggestImages } : {}),
});

describe('the review’s suggested images', () => {
  it('carries the suggestion into the report, and a fallback as a note', async () => {
    const deployment = config.deployments[0]!;
    const suggestion = sampleSuggestion();
    const withOne = await gatherReport(
      sources(async () => ({ kind: 'suggested', suggestion })),
      deployment,
    );
    expect(withOne.suggestedImages).toEqual(suggestion);
    const fallback = await gatherReport(
      sources(async () => ({
        kind: 'fallback',
        code: 'registry_unreachable',
        reason: text`Cannot reach ${'quay.io'}.`,
        images: [],
      })),
      deployment,
    );
    expect(fallback.suggestedImagesNote).toBe('No image suggestion: Cannot reach quay.io.');
    const failing = await gatherReport(
      sources(async () => Promise.reject(new Error('boom'))),
      deployment,
    );
    expect(failing.suggestedImagesNote).toContain('No image suggestion');
    expect((await gatherReport(sources(), deployment)).suggestedImages).toBeUndefined();
  });

  it('shows the chosen images with size and run share, and what was left out, or nothing when not configured', () => {
    const all = JSON.stringify(suggestedImagesSections(sampleReport({ suggestedImages: sampleSuggestion() })));
    expect(all).toContain(
      '*Suggested images* (`/ami bake --images auto`): 2 images, 5.50 GB of 50.00 GB (50% of the 100 GiB root volume of the executor template acme-executor-template &lt;!here&gt; (i-0template00000001)), about',
    );
    expect(all).toContain('`quay.io/team/py:3`: +1.50 GB, 50% of the runs');
    expect(all).toContain('left out `evil.example/&lt;!channel&gt;:1`: over the disk budget');
    expect(suggestedImagesSections(sampleReport())).toEqual([]);
  });

  it('advises the suggestion for the missing images, not a list past the disk budget', () => {
    const advice = (report: ReturnType<typeof sampleReport>) => JSON.stringify(adviceSection(report));
    const withSuggestion = advice(sampleReport({ suggestedImages: sampleSuggestion() }));
    expect(withSuggestion).toContain(
      'To bake the suggested images: `/ami bake acme --images auto` (3 images left out, as listed above).',
    );
    expect(withSuggestion).not.toContain('To bake the missing images too');
    // Without a suggestion (no registry client), the explicit list as before.
    expect(advice(sampleReport())).toContain('To bake the missing images too: `/ami bake acme --images ');
  });
});
