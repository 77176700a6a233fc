import { describe, expect, it } from 'vitest';
import { amiName, isPipelineAmiName, MAX_DEPLOYMENT_LENGTH } from '../../src/bake/ami-name.js';
import { AppError } from '../../src/errors.js';

const at = (iso: string) => new Date(iso);

describe('amiName', () => {
  it('follows domino-<deployment>-executor-YYYYMMDD-HHMM in UTC by default', () => {
    expect(amiName('prod', at('2024-03-05T07:08:59Z'))).toBe('domino-prod-executor-20240305-0708');
  });

  it('uses the configured time zone', () => {
    expect(amiName('prod', at('2024-07-01T12:00:00Z'), 'America/Los_Angeles')).toBe(
      'domino-prod-executor-20240701-0500',
    );
    expect(amiName('prod', at('2024-07-01T12:00:00Z'), 'Asia/Kolkata')).toBe('domino-prod-executor-20240701-1730');
  });

  it('follows daylight saving time (New York spring forward and fall back)', () => {
    expect(amiName('prod', at('2024-03-10T06:59:00Z'), 'America/New_York')).toBe('domino-prod-executor-20240310-0159');
    expect(amiName('prod', at('2024-03-10T07:00:00Z'), 'America/New_York')).toBe('domino-prod-executor-20240310-0300');
    // 01:30 happens twice on the fall-back night: the names collide, and CreateImage reports a duplicate.
    expect(amiName('prod', at('2024-11-03T05:30:00Z'), 'America/New_York')).toBe('domino-prod-executor-20241103-0130');
    expect(amiName('prod', at('2024-11-03T06:30:00Z'), 'America/New_York')).toBe('domino-prod-executor-20241103-0130');
  });

  it('rolls over at midnight (hour 00, never 24) and across years', () => {
    expect(amiName('prod', at('2025-01-01T00:00:00Z'))).toBe('domino-prod-executor-20250101-0000');
    expect(amiName('prod', at('2024-12-31T23:59:59Z'))).toBe('domino-prod-executor-20241231-2359');
    expect(amiName('prod', at('2024-12-31T23:30:00Z'), 'Europe/Berlin')).toBe('domino-prod-executor-20250101-0030');
    expect(amiName('prod', at('2024-12-31T15:00:00Z'), 'Asia/Tokyo')).toBe('domino-prod-executor-20250101-0000');
    expect(amiName('prod', at('2024-02-29T23:59:00Z'), 'Pacific/Auckland')).toBe('domino-prod-executor-20240301-1259');
  });

  it('accepts the longest deployment that keeps the name within 128 characters', () => {
    const longest = 'a'.repeat(MAX_DEPLOYMENT_LENGTH);
    expect(amiName(longest, at('2024-01-01T00:00:00Z'))).toHaveLength(128);
    expect(amiName('a', at('2024-01-01T00:00:00Z'))).toBe('domino-a-executor-20240101-0000');
  });

  it.each(['', 'Prod', 'prod_1', '-prod', 'prod-', 'prod eu', 'prod/eu', 'a'.repeat(MAX_DEPLOYMENT_LENGTH + 1)])(
    'rejects deployment %j with invalid_deployment',
    (deployment) => {
      expect(() => amiName(deployment, at('2024-01-01T00:00:00Z'))).toThrow(AppError);
      try {
        amiName(deployment, at('2024-01-01T00:00:00Z'));
      } catch (error) {
        expect((error as AppError).code).toBe('invalid_deployment');
        expect((error as AppError).message).toContain('The deployment name');
      }
    },
  );

  it('rejects an unknown time zone and an invalid date', () => {
    expect(() => amiName('prod', at('2024-01-01T00:00:00Z'), 'Mars/Olympus')).toThrow(
      expect.objectContaining({ code: 'invalid_time_zone' }),
    );
    expect(() => amiName('prod', new Date(Number.NaN))).toThrow(expect.objectContaining({ code: 'invalid_date' }));
  });
});

describe('isPipelineAmiName', () => {
  it.each([
    ['prod', 'domino-prod-executor-20240305-0708', true],
    ['prod-eu', 'domino-prod-eu-executor-20240305-0708', true],
    ['prod', 'domino-prod-eu-executor-20240305-0708', false],
    ['prod', 'domino-prod-executor-20240305-0708-gpu', false],
    ['prod', 'domino-prod-executor-20241305-0708', false],
    ['prod', 'domino-prod-executor-20240305-2460', false],
    ['prod', 'ubuntu-16.04-gpu-custom', false],
    ['prod', 'domino-staging-executor-20240305-0708', false],
    ['Prod', 'domino-Prod-executor-20240305-0708', false],
  ])('%s / %s → %s', (deployment, name, expected) => {
    expect(isPipelineAmiName(deployment, name)).toBe(expected);
  });

  it('recognizes every name amiName produces', () => {
    expect(isPipelineAmiName('prod', amiName('prod', at('2030-06-15T10:20:00Z'), 'Europe/Paris'))).toBe(true);
  });
});
