// An image suggestion with every kind of line (base, chosen, each left-out reason, a diff) and hostile text.
import type { ImageSuggestion } from '../../src/selection/image-suggestion.js';
import { text } from '../../src/shared/text.js';

const HOSTILE = 'evil.example/<!channel>:1';

export function sampleSuggestion(overrides: Partial<ImageSuggestion> = {}): ImageSuggestion {
  return {
    deployment: 'acme',
    windowDays: 14,
    budgetBytes: 50e9,
    budgetSource: {
      kind: 'template-root-volume',
      rootVolumeGiB: 100,
      share: 0.5,
      instanceId: 'i-0template00000001',
      instanceName: 'acme-executor-template <!here>',
    },
    bandwidthBytesPerSecond: 50e6,
    method: 'exact',
    chosen: [
      {
        ref: 'quay.io/domino/base:5',
        base: true,
        runs: 0,
        users: 0,
        tiers: [],
        runShare: 0,
        marginalBytes: 4e9,
        diskShare: 0.08,
        marginalSecondsPerWeek: 7200,
      },
      {
        ref: 'quay.io/team/py:3',
        base: false,
        runs: 70,
        users: 5,
        tiers: [
          { tier: 'small', runs: 60, users: 4 },
          { tier: 'large', runs: 5, users: 1 },
          { tier: 'gpu <!here>', runs: 3, users: 1 },
          { tier: 'x', runs: 2, users: 1 },
        ],
        runShare: 0.5,
        marginalBytes: 1.5e9,
        diskShare: 0.03,
        marginalSecondsPerWeek: 1050,
      },
    ],
    leftOut: [
      { ref: HOSTILE, reason: 'over_budget', runs: 3, marginalBytes: 60e9, marginalSecondsPerWeek: 30 },
      { ref: 'quay.io/team/idle:1', reason: 'no_benefit', runs: 0, marginalBytes: 1e6, marginalSecondsPerWeek: 0 },
      {
        ref: 'quay.io/team/gone:1',
        reason: 'not_readable',
        runs: 4,
        detail: text`The registry has no image ${'<@U0BAD>'}.`,
      },
    ],
    totalBytes: 5.5e9,
    secondsSavedPerWeek: 8250,
    totalRuns: 140,
    diff: {
      currentImageId: 'ami-0123456789abcdef0',
      added: ['quay.io/team/py:3'],
      removed: ['old/x:1'],
      kept: ['quay.io/domino/base:5'],
    },
    ...overrides,
  };
}
