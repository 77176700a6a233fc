import type { Clock } from '../ports/clock.js';
import type { EksPort, NodegroupInfo, UpdateNodegroupVersionInput } from '../ports/eks.js';
import { enterAws, SimAwsFault, simAws } from './aws-fault.js';
import type { Faults } from './faults.js';
import type { SimNodegroup, SimNodegroupUpdate } from './sim-eks-state.js';
import { launchInstance, terminateInstanceNow } from './sim-instances.js';
import { findVersion } from './sim-launch-templates.js';
import type { SimWorld } from './sim-world.js';

/**
 * EKS managed node groups as EksPort sees them. UpdateNodegroupVersion replaces the nodes on virtual time the way
 * EKS does: new nodes from the new version's AMI first, then each old node drained and terminated, then the node
 * group reports the new version; `nodegroup-update-failed` makes the drain fail (PodEvictionFailure) unless forced.
 */
export function createSimEks(world: SimWorld, clock: Clock, faults: Faults): EksPort {
  const enter = () => enterAws(world, clock, faults);
  return {
    async listNodegroups(cluster) {
      await enter();
      return simAws('eks:ListNodegroups', `list the node groups of cluster ${cluster}`, () =>
        [...requireCluster(world, cluster).nodegroups.keys()].sort(),
      );
    },
    async describeNodegroup(cluster, nodegroup) {
      await enter();
      const found = world.clusters.get(cluster)?.nodegroups.get(nodegroup);
      return found && toNodegroupInfo(found);
    },
    async updateNodegroupVersion(input) {
      const nowMs = await enter();
      return simAws('eks:UpdateNodegroupVersion', `update node group ${input.nodegroup}`, () =>
        startUpdate(world, faults, input, nowMs),
      );
    },
    async describeUpdate(cluster, nodegroup, updateId) {
      await enter();
      return simAws('eks:DescribeUpdate', `describe update ${updateId} of node group ${nodegroup}`, () => {
        const update = requireNodegroup(world, cluster, nodegroup).updates.find((u) => u.id === updateId);
        if (update === undefined)
          throw new SimAwsFault('ResourceNotFoundException', `No update found for ID: ${updateId}.`);
        return { id: update.id, status: update.status, errors: update.errors.slice() };
      });
    },
  };
}

function requireCluster(world: SimWorld, cluster: string) {
  const found = world.clusters.get(cluster);
  if (found === undefined) throw new SimAwsFault('ResourceNotFoundException', `No cluster found for name: ${cluster}.`);
  return found;
}

function requireNodegroup(world: SimWorld, cluster: string, nodegroup: string): SimNodegroup {
  const found = requireCluster(world, cluster).nodegroups.get(nodegroup);
  if (found === undefined) {
    throw new SimAwsFault('ResourceNotFoundException', `No node group found for name: ${nodegroup}.`);
  }
  return found;
}

function startUpdate(world: SimWorld, faults: Faults, input: UpdateNodegroupVersionInput, nowMs: number): string {
  const ng = requireNodegroup(world, input.cluster, input.nodegroup);
  // A retry with the token of an update already started is that update, whatever state it reached since.
  const earlier = ng.updates.find((u) => u.clientRequestToken === input.clientRequestToken);
  if (earlier !== undefined) return earlier.id;
  if (ng.status !== 'ACTIVE') {
    throw new SimAwsFault(
      'ResourceInUseException',
      `Nodegroup ${ng.name} cannot be updated: it is ${ng.status}; wait for the update in progress to finish.`,
    );
  }
  if (ng.launchTemplate === undefined) {
    throw new SimAwsFault(
      'InvalidParameterException',
      `Nodegroup ${ng.name} was not created with a launch template, so it cannot be updated to one.`,
    );
  }
  if (input.launchTemplate.id !== ng.launchTemplate.id) {
    throw new SimAwsFault(
      'InvalidParameterException',
      `Nodegroup ${ng.name} uses launch template ${ng.launchTemplate.id}; an update can change its version, not the template (${input.launchTemplate.id}).`,
    );
  }
  const template = world.launchTemplates.get(ng.launchTemplate.id);
  const version = template && findVersion(template, input.launchTemplate.version);
  if (template === undefined || version === undefined) {
    throw new SimAwsFault(
      'InvalidParameterException',
      `Launch template ${input.launchTemplate.id} has no version ${input.launchTemplate.version}.`,
    );
  }
  const update: SimNodegroupUpdate = {
    id: world.ids.update(),
    status: 'InProgress',
    errors: [],
    createdMs: nowMs,
    launchTemplate: { id: template.id, version: String(version.number) },
    force: input.force,
    clientRequestToken: input.clientRequestToken,
    launchedIds: [],
    terminatedIds: [],
  };
  ng.updates.push(update);
  ng.status = 'UPDATING';
  // Decided now, like the image-failed fault: switching the fault off later does not rescue a started update.
  const evictionFails = faults.isOn('nodegroup-update-failed') && !input.force;
  const imageId = version.imageId ?? world.instances.get(ng.nodeIds[0] ?? '')?.imageId ?? '';
  replaceNodes(world, ng, update, {
    imageId,
    evictionFails,
    startMs: nowMs + world.draw(world.timings.nodegroupUpdateStart),
  });
  return update.id;
}

/** The rolling replacement: launch, wait until the new nodes are Ready, then drain old nodes one at a time. */
function replaceNodes(
  world: SimWorld,
  ng: SimNodegroup,
  update: SimNodegroupUpdate,
  plan: { imageId: string; evictionFails: boolean; startMs: number },
): void {
  const isCurrent = () => world.clusters.get(ng.cluster)?.nodegroups.get(ng.name) === ng;
  const old = ng.nodeIds.slice();
  world.schedule(plan.startMs, (launchMs) => {
    if (!isCurrent()) return;
    for (let i = 0; i < ng.desiredSize; i++) {
      const node = launchInstance(world, { imageId: plan.imageId, tags: nodeTags(world, ng), nowMs: launchMs });
      update.launchedIds.push(node.id);
    }
    const readyMs = launchMs + world.timings.instanceStart.max + world.draw(world.timings.nodeJoin);
    let drainMs = readyMs;
    for (const [index, oldId] of old.entries()) {
      drainMs += world.draw(world.timings.nodeDrain);
      world.schedule(drainMs, (atMs) => {
        if (!isCurrent() || update.status !== 'InProgress') return;
        if (plan.evictionFails) {
          fail(world, ng, update, atMs);
          return;
        }
        const instance = world.instances.get(oldId);
        if (instance) terminateInstanceNow(world, instance, atMs);
        update.terminatedIds.push(oldId);
        if (index === old.length - 1) succeed(ng, update);
      });
    }
    if (old.length === 0) world.schedule(readyMs, () => isCurrent() && succeed(ng, update));
  });
}

function succeed(ng: SimNodegroup, update: SimNodegroupUpdate): void {
  update.status = 'Successful';
  ng.status = 'ACTIVE';
  ng.nodeIds = update.launchedIds.slice();
  if (ng.launchTemplate) ng.launchTemplate = { ...ng.launchTemplate, version: update.launchTemplate.version };
}

/** PodEvictionFailure: EKS gives up on the drain; the old nodes and version stay, the new nodes go. */
function fail(world: SimWorld, ng: SimNodegroup, update: SimNodegroupUpdate, atMs: number): void {
  update.status = 'Failed';
  update.errors.push(
    `PodEvictionFailure: Reached max retries while trying to evict pods from nodes in node group ${ng.name}`,
  );
  ng.status = 'ACTIVE';
  for (const id of update.launchedIds) {
    const instance = world.instances.get(id);
    if (instance) terminateInstanceNow(world, instance, atMs);
  }
}

/** What EKS's Auto Scaling group puts on a node. */
export function nodeTags(world: SimWorld, ng: SimNodegroup): Record<string, string> {
  return {
    Name: `${ng.cluster}-${ng.name}-node`,
    'eks:cluster-name': ng.cluster,
    'eks:nodegroup-name': ng.name,
    [`kubernetes.io/cluster/${ng.cluster}`]: 'owned',
    'aws:autoscaling:groupName': `eks-${ng.name}-${world.region}`,
  };
}

function toNodegroupInfo(ng: SimNodegroup): NodegroupInfo {
  return {
    cluster: ng.cluster,
    name: ng.name,
    status: ng.status,
    amiType: ng.amiType,
    ...(ng.launchTemplate === undefined ? {} : { launchTemplate: { ...ng.launchTemplate } }),
    labels: { ...ng.labels },
    tags: { ...ng.tags },
  };
}
