import type { NodegroupStatus, NodegroupUpdateStatus } from '../ports/eks.js';

/**
 * The simulated account's EKS clusters and EC2 launch templates: plain data in the world, which tests and the demo
 * may read and edit, changed over virtual time by the world's event queue like the instances.
 */

export interface SimLaunchTemplateVersion {
  number: number;
  /** Absent when the version leaves the AMI to EKS (a node group on an EKS-managed AMI type). */
  imageId?: string;
  description?: string;
  /** The rest of LaunchTemplateData (instance type, user data, …): copied unchanged by a SourceVersion copy. */
  data: Record<string, unknown>;
  createdMs: number;
}

export interface SimLaunchTemplate {
  id: string;
  name: string;
  tags: Record<string, string>;
  /** versions[i].number === i + 1, as EC2 numbers them. */
  versions: SimLaunchTemplateVersion[];
  defaultVersion: number;
  /** CreateLaunchTemplateVersion's ClientToken → the version that call created (and what it asked for). */
  clientTokens: Map<string, { version: number; request: string }>;
}

export interface SimNodegroupUpdate {
  id: string;
  status: NodegroupUpdateStatus;
  /** `errorCode: errorMessage`, as DescribeUpdate's errors[] reads. */
  errors: string[];
  createdMs: number;
  launchTemplate: { id: string; version: string };
  force: boolean;
  clientRequestToken: string;
  /** Instances launched by this update (from the new version's AMI) and those it terminated. */
  launchedIds: string[];
  terminatedIds: string[];
}

export interface SimNodegroup {
  cluster: string;
  name: string;
  arn: string;
  status: NodegroupStatus;
  amiType: string;
  launchTemplate?: { id: string; name: string; version: string };
  labels: Record<string, string>;
  tags: Record<string, string>;
  desiredSize: number;
  /** The live EC2 instances (world.instances) that are this node group's nodes. */
  nodeIds: string[];
  updates: SimNodegroupUpdate[];
}

export interface SimCluster {
  name: string;
  arn: string;
  nodegroups: Map<string, SimNodegroup>;
}
