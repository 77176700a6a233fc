import { describe, expect, it } from 'vitest';
import { checkpointSet } from '../../src/adapters/mongo/bake-repo.js';
import { applyCheckpoint, type BakeCheckpoint, type BakeRecord } from '../../src/bake/bake-record.js';
import { newStepTable } from '../../src/bake/bake-steps.js';
import { applySetPatch } from '../../src/shared/patch.js';

const at = new Date('2026-12-01T02:00:00Z');
const bake = (): BakeRecord => ({
  _id: 'bake-20261201-abcd',
  deployment: 'acme',
  requester: 'U0ADMIN',
  channel: 'C0OPS',
  images: ['busybox:1.36'],
  noReboot: false,
  status: 'running',
  steps: { ...newStepTable(), inventory: { state: 'running', startedAt: at } },
  facts: { instanceId: 'i-1', commands: { inventory: 'cmd-1' } },
  createdAt: at,
  updatedAt: at,
});

describe('bake checkpoints: typed, applied the same way by every store', () => {
  const checkpoints: BakeCheckpoint[] = [
    { facts: { imageId: 'ami-1', imageName: 'domino-acme' } },
    { command: { key: 'pull-0-a1', id: 'cmd-2' } },
    { steps: { inventory: { state: 'done', endedAt: at, summary: '3 cached' } } },
    { status: 'compensating', outcome: 'failed', error: { code: 'x', message: 'y', step: 'pull' } },
  ];

  it('the Mongo $set and the in-memory apply give the same record', () => {
    for (const checkpoint of checkpoints) {
      const viaSet = applySetPatch(bake(), structuredClone(checkpointSet(checkpoint)));
      expect(applyCheckpoint(bake(), structuredClone(checkpoint))).toEqual(viaSet);
    }
  });

  it('replaces only what it names: a step keeps its start, the facts keep their other commands', () => {
    const after = checkpoints.reduce((record, checkpoint) => applyCheckpoint(record, checkpoint), bake());
    expect(after.steps.inventory).toEqual({ state: 'done', startedAt: at, endedAt: at, summary: '3 cached' });
    expect(after.facts.commands).toEqual({ inventory: 'cmd-1', 'pull-0-a1': 'cmd-2' });
    expect(after.facts.instanceId).toBe('i-1');
    expect(after.facts.imageId).toBe('ami-1');
  });

  it('never writes a command key a store would read as a path', () => {
    expect(() => checkpointSet({ command: { key: 'a.b', id: 'x' } })).toThrow(/not a command key/);
    expect(() => checkpointSet({ command: { key: '$where', id: 'x' } })).toThrow(/not a command key/);
  });
});
