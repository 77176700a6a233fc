import { beforeEach, describe, expect, it } from 'vitest';
import type { EksPort, NodegroupUpdate, UpdateNodegroupVersionInput } from '../../src/ports/eks.js';
import { appErrorOf } from './app-error-of.js';

/** What each EKS under test holds before a case starts: a Domino-like cluster (see seedEksCluster). */
export interface EksSeed {
  cluster: string;
  /** Every node group of the cluster. */
  nodegroups: string[];
  /** A CUSTOM node group on version 1 of its own launch template, which also has a version 2 to update to. */
  nodegroup: string;
  templateId: string;
  templateName: string;
  labels: Record<string, string>;
  tags: Record<string, string>;
  /** A second CUSTOM node group with its own template (version 1 and 2), to run two updates side by side. */
  otherNodegroup: string;
  otherTemplateId: string;
  /** A node group created without a launch template, on an EKS-managed AMI type. */
  withoutTemplate: string;
  withoutTemplateAmiType: string;
}

export interface EksUnderTest {
  eks: EksPort;
  seed: EksSeed;
  /** Lets an update progress (the simulator moves its clock; the stand-in for EKS's update takes one step). */
  advance(): Promise<void>;
  /** From now on, updates not forced fail while draining nodes (EKS's PodEvictionFailure). */
  failUpdates(): void;
}

const UNKNOWN_UPDATE = '00000000-0000-4000-8000-000000000000';

/** Advances until the update leaves InProgress (at most `rounds` times); returns the last state read. */
async function finished(t: EksUnderTest, nodegroup: string, id: string, rounds = 100): Promise<NodegroupUpdate> {
  let update = await t.eks.describeUpdate(t.seed.cluster, nodegroup, id);
  for (let i = 0; i < rounds && update.status === 'InProgress'; i++) {
    await t.advance();
    update = await t.eks.describeUpdate(t.seed.cluster, nodegroup, id);
  }
  return update;
}

/** One behaviour for EksPort: the simulator, and the real adapter on moto (+ a stand-in for the update calls). */
export function eksPortContract(name: string, setup: () => Promise<EksUnderTest>) {
  describe(`EksPort contract: ${name}`, () => {
    let t: EksUnderTest;
    const toVersion = (version: string, token: string, nodegroup = t.seed.nodegroup): UpdateNodegroupVersionInput => ({
      cluster: t.seed.cluster,
      nodegroup,
      launchTemplate: { id: nodegroup === t.seed.nodegroup ? t.seed.templateId : t.seed.otherTemplateId, version },
      force: false,
      clientRequestToken: token,
    });
    beforeEach(async () => {
      t = await setup();
    });

    it("lists the cluster's node groups", async () => {
      expect((await t.eks.listNodegroups(t.seed.cluster)).sort()).toEqual([...t.seed.nodegroups].sort());
    });

    it('describes a node group: status, CUSTOM AMI type, launch template id/name/version, labels and tags', async () => {
      const info = await t.eks.describeNodegroup(t.seed.cluster, t.seed.nodegroup);
      expect(info).toEqual({
        cluster: t.seed.cluster,
        name: t.seed.nodegroup,
        status: 'ACTIVE',
        amiType: 'CUSTOM',
        launchTemplate: { id: t.seed.templateId, name: t.seed.templateName, version: '1' },
        labels: t.seed.labels,
        tags: expect.objectContaining(t.seed.tags),
      });
    });

    it('a node group without a launch template has none, and its EKS-managed AMI type', async () => {
      const info = await t.eks.describeNodegroup(t.seed.cluster, t.seed.withoutTemplate);
      expect(info?.launchTemplate).toBeUndefined();
      expect(info?.amiType).toBe(t.seed.withoutTemplateAmiType);
      expect(info?.status).toBe('ACTIVE');
    });

    it('an unknown node group or cluster is undefined, not an error', async () => {
      expect(await t.eks.describeNodegroup(t.seed.cluster, 'no-such-nodegroup')).toBeUndefined();
      expect(await t.eks.describeNodegroup('no-such-cluster', t.seed.nodegroup)).toBeUndefined();
    });

    it('updates to a launch template version: UPDATING while InProgress, then Successful and ACTIVE on it', async () => {
      const id = await t.eks.updateNodegroupVersion(toVersion('2', 'contract-update-1'));
      expect(id).toMatch(/^[0-9a-f-]{36}$/);
      expect(await t.eks.describeUpdate(t.seed.cluster, t.seed.nodegroup, id)).toEqual({
        id,
        status: 'InProgress',
        errors: [],
      });
      expect((await t.eks.describeNodegroup(t.seed.cluster, t.seed.nodegroup))?.status).toBe('UPDATING');
      expect(await finished(t, t.seed.nodegroup, id)).toEqual({ id, status: 'Successful', errors: [] });
      const after = await t.eks.describeNodegroup(t.seed.cluster, t.seed.nodegroup);
      expect(after?.status).toBe('ACTIVE');
      expect(after?.launchTemplate).toEqual({ id: t.seed.templateId, name: t.seed.templateName, version: '2' });
      // Other node groups are not touched.
      expect((await t.eks.describeNodegroup(t.seed.cluster, t.seed.otherNodegroup))?.launchTemplate?.version).toBe('1');
    });

    it('the same clientRequestToken is the same update, during and after it (a retry after a crash)', async () => {
      const id = await t.eks.updateNodegroupVersion(toVersion('2', 'contract-retry'));
      expect(await t.eks.updateNodegroupVersion(toVersion('2', 'contract-retry'))).toBe(id);
      expect((await finished(t, t.seed.nodegroup, id)).status).toBe('Successful');
      expect(await t.eks.updateNodegroupVersion(toVersion('2', 'contract-retry'))).toBe(id);
      expect((await t.eks.describeNodegroup(t.seed.cluster, t.seed.nodegroup))?.status).toBe('ACTIVE');
    });

    it('a second update of an UPDATING node group is ResourceInUseException; another node group may update', async () => {
      const first = await t.eks.updateNodegroupVersion(toVersion('2', 'contract-first'));
      const error = await appErrorOf(t.eks.updateNodegroupVersion(toVersion('1', 'contract-second')));
      expect(error.code).toBe('aws_ResourceInUseException');
      expect(error.message).toContain(`update node group ${t.seed.nodegroup}`);
      const other = await t.eks.updateNodegroupVersion(toVersion('2', 'contract-other', t.seed.otherNodegroup));
      expect(other).not.toBe(first);
      expect((await finished(t, t.seed.nodegroup, first)).status).toBe('Successful');
      expect((await finished(t, t.seed.otherNodegroup, other)).status).toBe('Successful');
    });

    it('a failed update ends Failed with EKS errors, the node group ACTIVE on its old version; `force` gets through', async () => {
      t.failUpdates();
      const id = await t.eks.updateNodegroupVersion(toVersion('2', 'contract-fails'));
      const update = await finished(t, t.seed.nodegroup, id);
      expect(update.status).toBe('Failed');
      expect(update.errors.length).toBeGreaterThan(0);
      expect(update.errors[0]).toMatch(/^PodEvictionFailure: \S/);
      const after = await t.eks.describeNodegroup(t.seed.cluster, t.seed.nodegroup);
      expect(after).toMatchObject({ status: 'ACTIVE', launchTemplate: { version: '1' } });
      // The admin's explicit choice: replace the nodes even though pods cannot be evicted politely.
      const forced = await t.eks.updateNodegroupVersion({ ...toVersion('2', 'contract-forced'), force: true });
      expect(forced).not.toBe(id);
      expect((await finished(t, t.seed.nodegroup, forced)).status).toBe('Successful');
      expect((await t.eks.describeNodegroup(t.seed.cluster, t.seed.nodegroup))?.launchTemplate?.version).toBe('2');
    });

    it('an unknown update id, node group or template version is an AWS error, and starts nothing', async () => {
      const unknownUpdate = await appErrorOf(t.eks.describeUpdate(t.seed.cluster, t.seed.nodegroup, UNKNOWN_UPDATE));
      expect(unknownUpdate.code).toBe('aws_ResourceNotFoundException');
      const unknownGroup = await appErrorOf(
        t.eks.updateNodegroupVersion({ ...toVersion('2', 'contract-unknown'), nodegroup: 'no-such-nodegroup' }),
      );
      expect(unknownGroup.code).toBe('aws_ResourceNotFoundException');
      const noVersion = await appErrorOf(t.eks.updateNodegroupVersion(toVersion('99', 'contract-no-version')));
      expect(noVersion.code).toBe('aws_InvalidParameterException');
      const noTemplate = await appErrorOf(
        t.eks.updateNodegroupVersion({ ...toVersion('2', 'contract-no-template'), nodegroup: t.seed.withoutTemplate }),
      );
      expect(noTemplate.code).toBe('aws_InvalidParameterException');
      expect((await t.eks.describeNodegroup(t.seed.cluster, t.seed.nodegroup))?.status).toBe('ACTIVE');
    });
  });
}
