import { MongoClient } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FerretDbServer, startFerretDb } from '../support/ferretdb.js';
import { ADMIN, AMI, APPROVERS, OPS, type RolloutRig, startRolloutRig, succeededBake } from '../support/rollout-rig.js';

const SMALL = '64f1c0de5a1b2c3d4e5f0001';
const LARGE = '64f1c0de5a1b2c3d4e5f0003';
const XLARGE = '64f1c0de5a1b2c3d4e5f0004';

describe('MongoDB lost in the middle of an apply', () => {
  let server: FerretDbServer;
  let client: MongoClient;
  let rig: RolloutRig;
  beforeAll(async () => {
    server = await startFerretDb();
    client = new MongoClient(server.uri, { serverSelectionTimeoutMS: 2_000 });
    await client.connect();
  });
  afterAll(async () => {
    await rig?.close().catch(() => undefined);
    await client?.close().catch(() => undefined);
    await server?.stop();
  });

  it('the tiers are written once, the apply is taken over after the outage, nothing is applied twice', async () => {
    rig = await startRolloutRig({ domino: client.db('domino'), stateUri: server.uri });
    await succeededBake(rig);
    const reply = await rig.rollout.useCases.planRollout({
      userId: ADMIN,
      channelId: OPS,
      target: 'bake-20261128-k3m9',
    });
    const changeId = /chg-\d{8}-[a-z0-9]{4}/.exec(reply.text)?.[0] ?? '';

    // The database dies right after the tier update reached it, before the result could be recorded.
    let writes = 0;
    const apply = rig.deps.tiers.applyImageUpdates.bind(rig.deps.tiers);
    rig.deps.tiers.applyImageUpdates = async (updates) => {
      const result = await apply(updates);
      writes++;
      if (writes === 1) {
        server.kill();
        await server.exited;
      }
      return result;
    };
    await rig.rollout.useCases.decideChange({ userId: APPROVERS[0]!, changeId, decision: 'approve' });
    await rig.tasks.idle();
    server = await server.restart();

    // After applyStaleMinutes, the scheduler takes the unfinished apply over; the guards make it harmless.
    await rig.clock.advance(11 * 60_000);
    await rig.rollout.scheduler.tick();
    await rig.tasks.idle();
    const done = await rig.store.changes.get(changeId);
    expect(done?.status).toBe('applied');
    expect(done?.result?.conflicts).toEqual([]);
    expect([...(done?.result?.verified ?? [])].sort()).toEqual(
      [`objectId:${SMALL}`, `objectId:${LARGE}`, `objectId:${XLARGE}`, 'string:medium'].sort(),
    );
    const tiers = await rig.readTiers();
    for (const id of [SMALL, LARGE, XLARGE, 'medium']) expect(tiers.get(id)?.executorImage).toBe(AMI.new);
    expect(tiers.get('gpu')?.executorImage).toBe(AMI.gpu);
    expect(tiers.get('pinned-legacy')?.executorImage).toBe(AMI.old1);
    const audit = await rig.store.audit.listRecent(50);
    expect(audit.filter((entry) => entry.action === 'change.applied')).toHaveLength(1);
    expect(writes).toBe(2);
  }, 60_000);
});
