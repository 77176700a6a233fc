// Review records and reports for builder and use-case tests.
import type { ReviewDoc, ReviewRecord } from '../../src/review/review-record.js';
import type { ReviewReport, TierAmiLine } from '../../src/review/review-report.js';

export const REVIEW_T0 = new Date('2026-10-01T07:00:00Z');

export function sampleTiers(): TierAmiLine[] {
  const current = { amiId: 'ami-0current', amiName: 'domino-acme-executor-20260815-0900', ageDays: 47 };
  return [
    { tierId: 'small', label: 'Small', ...current, kind: 'standard', why: 'pipeline AMI name' },
    { tierId: 'medium', label: 'Medium', ...current, kind: 'standard', why: 'pipeline AMI name' },
    {
      tierId: 'large',
      label: 'Large',
      amiId: 'ami-0older',
      amiName: 'domino-acme-executor-20260510-1400',
      ageDays: 144,
      kind: 'standard',
      why: 'pipeline AMI name',
    },
    {
      tierId: 'gpu',
      label: 'GPU (K80, Ubuntu 16.04)',
      amiId: 'ami-0gpu',
      amiName: 'ubuntu-16.04-gpu-custom',
      ageDays: 332,
      kind: 'special',
      why: 'custom AMI',
    },
    {
      tierId: 'pinned-legacy',
      label: 'Legacy (pinned)',
      amiId: 'ami-0older',
      amiName: 'domino-acme-executor-20260510-1400',
      ageDays: 144,
      kind: 'special',
      why: 'pinned in config',
    },
  ];
}

const LATEST_BAKE: ReviewReport['latestBake'] = {
  id: 'bake-20260815-k3m9',
  status: 'succeeded',
  requester: 'U0ADMIN01',
  createdAt: new Date('2026-08-15T08:10:00Z'),
  endedAt: new Date('2026-08-15T09:00:00Z'),
  imageId: 'ami-0current',
  imageName: 'domino-acme-executor-20260815-0900',
  images: ['quay.io/domino/base:1', 'quay.io/domino/standard:5.5'],
};

export function sampleReport(overrides: Partial<ReviewReport> = {}): ReviewReport {
  return {
    deployment: 'acme',
    timeZone: 'Europe/Berlin',
    generatedAt: REVIEW_T0,
    tiers: sampleTiers(),
    latestBake: LATEST_BAKE,
    cacheBake: LATEST_BAKE,
    environments: [
      { environment: 'Standard', image: 'quay.io/domino/standard:5.5', runs: 958, cached: true },
      { environment: 'NLP team', image: 'registry.acme.example/ds/nlp-env:2026.07', runs: 203, cached: false },
      { environment: 'Legacy R', runs: 12 },
    ],
    bakeImages: ['quay.io/domino/base:1', 'quay.io/domino/standard:5.5'],
    ...overrides,
  };
}

export function sampleReview(overrides: Partial<ReviewRecord> = {}): ReviewRecord {
  return {
    _id: 'review-acme-20261001T070000Z',
    deployment: 'acme',
    trigger: 'schedule',
    tick: REVIEW_T0,
    channel: 'C0OPS00001',
    messageTs: '1700000000.000100',
    reminders: [],
    status: 'open',
    followUps: 0,
    maxFollowUps: 3,
    followUpDays: 7,
    nextReminderAt: new Date('2026-10-08T07:00:00Z'),
    report: sampleReport(),
    snoozes: 0,
    createdAt: REVIEW_T0,
    ...overrides,
  };
}

export function sampleReviewDoc(overrides: Partial<ReviewDoc> = {}): ReviewDoc {
  return {
    _id: 'review-acme-20261001T070000Z',
    deployment: 'acme',
    trigger: 'schedule',
    tick: REVIEW_T0,
    channel: 'C0OPS00001',
    maxFollowUps: 3,
    followUpDays: 7,
    report: sampleReport(),
    createdAt: REVIEW_T0,
    ...overrides,
  };
}
