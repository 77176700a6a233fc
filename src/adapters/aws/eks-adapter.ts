import {
  DescribeNodegroupCommand,
  DescribeUpdateCommand,
  type EKSClient,
  ListNodegroupsCommand,
  type Nodegroup,
  type Update,
  UpdateNodegroupVersionCommand,
} from '@aws-sdk/client-eks';
import { AppError } from '../../errors.js';
import type { EksPort, NodegroupInfo, NodegroupUpdate } from '../../ports/eks.js';
import { callAws, callAwsPages, isAwsError } from './aws-errors.js';

/** Real EKS adapter (managed node groups). Throttling is retried by the client (eks-client.ts), not here. */
export function createEksAdapter(client: EKSClient): EksPort {
  return {
    async listNodegroups(cluster) {
      return callAwsPages(
        'eks:ListNodegroups',
        `list the node groups of cluster ${cluster}`,
        (nextToken) => client.send(new ListNodegroupsCommand({ clusterName: cluster, nextToken })),
        (page) => ({ items: page.nodegroups, next: page.nextToken }),
      );
    },

    async describeNodegroup(cluster, nodegroup) {
      try {
        const out = await callAws('eks:DescribeNodegroup', `describe node group ${nodegroup}`, () =>
          client.send(new DescribeNodegroupCommand({ clusterName: cluster, nodegroupName: nodegroup })),
        );
        return out.nodegroup ? toNodegroupInfo(cluster, nodegroup, out.nodegroup) : undefined;
      } catch (error) {
        // EKS answers the same for an unknown cluster and an unknown node group.
        if (isAwsError(error, 'ResourceNotFoundException')) return undefined;
        throw error;
      }
    },

    async updateNodegroupVersion(input) {
      const what = `update node group ${input.nodegroup}`;
      const out = await callAws('eks:UpdateNodegroupVersion', what, () =>
        client.send(
          new UpdateNodegroupVersionCommand({
            clusterName: input.cluster,
            nodegroupName: input.nodegroup,
            // Only the launch template: no `version` or `releaseVersion`, which fail an update to a custom AMI.
            launchTemplate: { id: input.launchTemplate.id, version: input.launchTemplate.version },
            force: input.force,
            clientRequestToken: input.clientRequestToken,
          }),
        ),
      );
      if (!out.update?.id) throw unexpectedAnswer(what, 'no update id');
      return out.update.id;
    },

    async describeUpdate(cluster, nodegroup, updateId) {
      const what = `describe update ${updateId} of node group ${nodegroup}`;
      const out = await callAws('eks:DescribeUpdate', what, () =>
        client.send(new DescribeUpdateCommand({ name: cluster, nodegroupName: nodegroup, updateId })),
      );
      if (!out.update?.status) throw unexpectedAnswer(what, 'no update status');
      return toNodegroupUpdate(updateId, out.update);
    },
  };
}

export function toNodegroupInfo(cluster: string, name: string, ng: Nodegroup): NodegroupInfo {
  const lt = ng.launchTemplate;
  return {
    cluster: ng.clusterName ?? cluster,
    name: ng.nodegroupName ?? name,
    // EKS always reports one; a node group without would be one not to change, like a DEGRADED one.
    status: ng.status ?? 'DEGRADED',
    ...(ng.amiType ? { amiType: ng.amiType } : {}),
    ...(lt?.id
      ? { launchTemplate: { id: lt.id, ...(lt.name ? { name: lt.name } : {}), version: lt.version ?? '$Default' } }
      : {}),
    labels: { ...ng.labels },
    tags: { ...ng.tags },
  };
}

export function toNodegroupUpdate(updateId: string, update: Update): NodegroupUpdate {
  return {
    id: update.id ?? updateId,
    status: update.status ?? 'InProgress',
    errors: (update.errors ?? []).map((e) => [e.errorCode, e.errorMessage].filter(Boolean).join(': ')),
  };
}

function unexpectedAnswer(what: string, missing: string): AppError {
  return new AppError(
    'aws_unexpected_answer',
    `EKS answered the request to ${what} without what it always sends (${missing}). Check AWS_ENDPOINT_URL and the region the bot runs with.`,
  );
}
