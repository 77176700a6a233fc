/** The EC2 port: instances and images of the account ami-bot bakes in. */

export type InstanceState = 'pending' | 'running' | 'stopping' | 'stopped' | 'shutting-down' | 'terminated';

export interface InstanceInfo {
  id: string;
  /** Value of the `Name` tag ('' when absent). */
  name: string;
  state: InstanceState;
  imageId: string;
  tags: Record<string, string>;
  /** Device names of the instance's block device mappings, e.g. `/dev/xvda`. */
  blockDeviceNames: string[];
  launchTime?: Date;
}

export type ImageState = 'pending' | 'available' | 'failed' | 'invalid' | 'deregistered' | 'transient' | 'error';

export interface ImageInfo {
  id: string;
  name: string;
  state: ImageState;
  creationDate?: Date;
  tags: Record<string, string>;
  snapshotIds: string[];
  /** AWS's reason for a `failed` state, when it gives one. */
  stateReason?: string;
  /** The AWS account that owns the image (a public or shared AMI belongs to another account). */
  ownerId?: string;
}

export interface CreateImageInput {
  instanceId: string;
  name: string;
  description: string;
  noReboot: boolean;
  /** Every block device of the instance; each is created with DeleteOnTermination=true. */
  deviceNames: string[];
  /** Applied to the image and to its snapshots. */
  tags: Record<string, string>;
}

export interface Ec2Port {
  /** Instances (any state but terminated) whose Name tag matches a glob such as `*executor-template*`. */
  findInstancesByNamePattern(pattern: string): Promise<InstanceInfo[]>;
  /** Instances (any state but terminated) carrying every tag given (value `*` matches any value). */
  findInstancesByTags(tags: Record<string, string>): Promise<InstanceInfo[]>;
  describeInstance(instanceId: string): Promise<InstanceInfo | undefined>;
  startInstance(instanceId: string): Promise<void>;
  stopInstance(instanceId: string): Promise<void>;
  terminateInstances(instanceIds: string[]): Promise<void>;
  /** Returns the new image id. Throws AppError code `ami_name_taken` on InvalidAMIName.Duplicate. */
  createImage(input: CreateImageInput): Promise<string>;
  describeImages(imageIds: string[]): Promise<ImageInfo[]>;
  /**
   * The images among these ids that this account owns: public and shared AMIs, which DescribeImages by id also
   * returns, are left out (the rollout gate: only an AMI this account made may reach a tier).
   */
  describeOwnImages(imageIds: string[]): Promise<ImageInfo[]>;
  /** Images owned by this account with exactly this name (0 or 1 in practice). */
  findImagesByName(name: string): Promise<ImageInfo[]>;
  /** Images owned by this account carrying the tag. */
  findImagesByTag(key: string, value: string): Promise<ImageInfo[]>;
  /** Deregisters the image and deletes its snapshots; an unknown image is not an error. */
  deregisterImage(imageId: string): Promise<void>;
  /** Average completion (0–100) of the snapshots, when AWS reports it. */
  snapshotProgress(snapshotIds: string[]): Promise<number | undefined>;
}
