/**
 * The EKS port: the managed node groups of a Domino 4+ cluster (one per node pool per availability zone in
 * Domino's terraform-aws-eks modules), and the version updates that replace their nodes.
 */

export type NodegroupStatus =
  | 'CREATING'
  | 'ACTIVE'
  | 'UPDATING'
  | 'DELETING'
  | 'CREATE_FAILED'
  | 'DELETE_FAILED'
  | 'DEGRADED';

export interface NodegroupInfo {
  cluster: string;
  name: string;
  status: NodegroupStatus;
  /** `CUSTOM` when the launch template names the AMI; an EKS-managed type (`AL2_x86_64`, `BOTTLEROCKET_…`) otherwise. */
  amiType?: string;
  /** Absent for a node group created without a launch template: its AMI is EKS's to choose (a special target). */
  launchTemplate?: { id: string; name?: string; version: string };
  /** Kubernetes labels of the nodes (Domino's `dominodatalab.com/node-pool`). */
  labels: Record<string, string>;
  tags: Record<string, string>;
}

export type NodegroupUpdateStatus = 'InProgress' | 'Failed' | 'Cancelled' | 'Successful';

export interface NodegroupUpdate {
  id: string;
  status: NodegroupUpdateStatus;
  /** EKS's error messages for a failed update (outside text). */
  errors: string[];
}

export interface UpdateNodegroupVersionInput {
  cluster: string;
  nodegroup: string;
  launchTemplate: { id: string; version: string };
  /** Replace nodes even when pods cannot be drained (PodDisruptionBudgets): only when the admin asked for it. */
  force: boolean;
  /** Idempotency token: the same token after a crash returns the same update instead of starting a second one. */
  clientRequestToken: string;
}

export interface EksPort {
  /** Names of the cluster's managed node groups. */
  listNodegroups(cluster: string): Promise<string[]>;
  /** Undefined when the cluster or the node group does not exist. */
  describeNodegroup(cluster: string, nodegroup: string): Promise<NodegroupInfo | undefined>;
  /** Starts a rolling update of the node group to the launch template version; returns the update id. */
  updateNodegroupVersion(input: UpdateNodegroupVersionInput): Promise<string>;
  describeUpdate(cluster: string, nodegroup: string, updateId: string): Promise<NodegroupUpdate>;
}
