import { describe, expect, it } from 'vitest';
import { createFaults, FAULT_NAMES, parseFaultNames } from '../../src/sim/faults.js';
import { createSimulator } from '../../src/sim/index.js';

describe('fault registry', () => {
  it('switches named faults on and off and lists them in a stable order', () => {
    const faults = createFaults(['pull-flaky', 'image-failed']);
    expect(faults.list()).toEqual(['image-failed', 'pull-flaky']);
    faults.off('image-failed');
    faults.on('ssm-timeout');
    expect(faults.isOn('image-failed')).toBe(false);
    expect(faults.list()).toEqual(['pull-flaky', 'ssm-timeout']);
    expect(Object.keys(FAULT_NAMES)).toContain('crash-mid-bake');
  });

  it('rejects unknown names, naming them and the known ones', () => {
    expect(parseFaultNames(' pull-failed, ,aws-throttle ')).toEqual(['pull-failed', 'aws-throttle']);
    expect(() => createFaults(['image-failed', 'disk-full'])).toThrow(
      /Unknown simulator fault: disk-full\. Known faults: image-failed, pull-failed/,
    );
    expect(() => createSimulator({ faults: ['nope'], write: () => {} })).toThrow(/nope/);
  });
});
