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

/** The EBS volume an instance boots from: what the images a bake pulls onto the template must fit in. */
export interface RootVolumeInfo {
  /** The instance's root device name, e.g. `/dev/xvda`. */
  deviceName: string;
  volumeId: string;
  sizeGiB: number;
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

/**
 * EC2's deregistration protection of an image. `on` with `cooldown`: once disabled, EC2 still refuses to deregister
 * it for 24 hours (EnableImageDeregistrationProtection's WithCooldown); `cooling-down` is that period, `until` when
 * EC2 says.
 */
export type DeregistrationProtection =
  | { state: 'off' }
  | { state: 'on'; cooldown: boolean }
  | { state: 'cooling-down'; until?: Date };

/** The cooldown EC2 enforces after protection enabled WithCooldown is disabled (EC2 API reference). */
export const DEREGISTRATION_COOLDOWN_MS = 24 * 60 * 60 * 1000;

/** One EBS volume of an image: the snapshot it is restored from and its size. */
export interface ImageVolume {
  snapshotId: string;
  sizeGiB: number;
}

/** An image as the lifecycle sees it: its volumes (what it costs), protection and deprecation. */
export interface LifecycleImageInfo extends ImageInfo {
  volumes: ImageVolume[];
  protection: DeregistrationProtection;
  deprecationTime?: Date;
}

export type SnapshotState = 'pending' | 'completed' | 'error' | 'recoverable' | 'recovering';

export interface SnapshotInfo {
  id: string;
  state: SnapshotState;
  /** Size of the volume it was taken from. */
  sizeGiB: number;
  startTime?: Date;
  tags: Record<string, string>;
  /** The image CreateImage made it for, read from the description EC2 gives it; absent for other snapshots. */
  createdForImageId?: string;
}

export type SnapshotOutcome = 'deleted' | 'absent' | 'in-use';

/** What deregistering did: every step is reported, and "already gone" is an outcome, not an error. */
export interface DeregisterResult {
  image: 'deregistered' | 'absent';
  /** `in-use`: another image still uses the snapshot, so EC2 kept it. */
  snapshots: Array<{ id: string; outcome: SnapshotOutcome }>;
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
  /**
   * The instance's root EBS volume (DescribeInstances' RootDeviceName, then DescribeVolumes); undefined when the
   * instance is gone or its root device is not an EBS volume.
   */
  describeRootVolume(instanceId: string): Promise<RootVolumeInfo | undefined>;
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
  /** Images owned by this account carrying every tag given, with their volumes, protection and deprecation. */
  listImagesByTags(tags: Record<string, string>): Promise<LifecycleImageInfo[]>;
  /** Snapshots owned by this account carrying every tag given (whether or not their image still exists). */
  listSnapshotsByTags(tags: Record<string, string>): Promise<SnapshotInfo[]>;
  /**
   * Deregisters the image and deletes its snapshots (a snapshot another image uses is kept: `in-use`); an unknown
   * image is not an error, and the snapshots CreateImage made for it are still deleted (a crash between the two).
   */
  deregisterImage(imageId: string): Promise<DeregisterResult>;
  /** Deletes one snapshot (an orphan whose image is gone): `absent` if already gone, `in-use` if an image uses it. */
  deleteSnapshot(snapshotId: string): Promise<SnapshotOutcome>;
  /** EnableImageDeregistrationProtection; enabling it again is not an error. */
  enableDeregistrationProtection(imageId: string, options: { withCooldown: boolean }): Promise<void>;
  /** DisableImageDeregistrationProtection: with a cooldown, the image stays protected 24 hours more. */
  disableDeregistrationProtection(imageId: string): Promise<void>;
  /** EnableImageDeprecation: from `at`, EC2 no longer lists the image to launch (ids still work). */
  enableImageDeprecation(imageId: string, at: Date): Promise<void>;
  /** DisableImageDeprecation: the image is listed to launch again (an AMI back in use); again is not an error. */
  disableImageDeprecation(imageId: string): Promise<void>;
  /** Average completion (0–100) of the snapshots, when AWS reports it. */
  snapshotProgress(snapshotIds: string[]): Promise<number | undefined>;
}

/** The AMI lifecycle's part of the port (src/lifecycle): images and snapshots by tags, retiring, protection. */
export type Ec2ImageLifecycle = Pick<
  Ec2Port,
  | 'listImagesByTags'
  | 'listSnapshotsByTags'
  | 'deregisterImage'
  | 'deleteSnapshot'
  | 'enableDeregistrationProtection'
  | 'disableDeregistrationProtection'
  | 'enableImageDeprecation'
  | 'disableImageDeprecation'
>;
