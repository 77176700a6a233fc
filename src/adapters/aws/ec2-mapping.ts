import type { Filter, Image, Instance, Snapshot, Tag } from '@aws-sdk/client-ec2';
import type {
  DeregistrationProtection,
  ImageInfo,
  ImageState,
  InstanceInfo,
  InstanceState,
  LifecycleImageInfo,
  SnapshotInfo,
  SnapshotState,
} from '../../ports/ec2.js';

/** Pure conversions between EC2's wire shapes and the port's types (no SDK calls here). */

export function tagsToRecord(tags: Tag[] | undefined): Record<string, string> {
  const record: Record<string, string> = {};
  for (const tag of tags ?? []) {
    if (tag.Key !== undefined) record[tag.Key] = tag.Value ?? '';
  }
  return record;
}

export function recordToTags(record: Record<string, string>): Tag[] {
  return Object.entries(record).map(([Key, Value]) => ({ Key, Value }));
}

/** Every state but `terminated`: a terminated instance can never be started or imaged again. */
export const LIVE_INSTANCE_STATES: InstanceState[] = ['pending', 'running', 'stopping', 'stopped', 'shutting-down'];

export const liveInstancesFilter: Filter = { Name: 'instance-state-name', Values: LIVE_INSTANCE_STATES };

/** `tag:<key>` filters; EC2 treats `*` in a value as a glob, so `*` means "any value". */
export function tagFilters(tags: Record<string, string>): Filter[] {
  return Object.entries(tags).map(([key, value]) => ({ Name: `tag:${key}`, Values: [value] }));
}

const INSTANCE_STATES = new Set<string>([...LIVE_INSTANCE_STATES, 'terminated']);
const IMAGE_STATES = new Set<string>([
  'pending',
  'available',
  'failed',
  'invalid',
  'deregistered',
  'transient',
  'error',
]);

function toDate(value: Date | string | undefined): Date | undefined {
  if (value === undefined) return undefined;
  const date = value instanceof Date ? value : new Date(value);
  return Number.isNaN(date.getTime()) ? undefined : date;
}

export function toInstanceInfo(instance: Instance): InstanceInfo {
  const tags = tagsToRecord(instance.Tags);
  const state = instance.State?.Name ?? '';
  const info: InstanceInfo = {
    id: instance.InstanceId ?? '',
    name: tags.Name ?? '',
    // An unknown state is reported as `pending` so callers wait rather than act on it.
    state: INSTANCE_STATES.has(state) ? (state as InstanceState) : 'pending',
    imageId: instance.ImageId ?? '',
    tags,
    blockDeviceNames: (instance.BlockDeviceMappings ?? []).flatMap((m) => (m.DeviceName ? [m.DeviceName] : [])),
  };
  const launchTime = toDate(instance.LaunchTime);
  if (launchTime) info.launchTime = launchTime;
  return info;
}

export function toImageInfo(image: Image): ImageInfo {
  const state = image.State ?? '';
  const info: ImageInfo = {
    id: image.ImageId ?? '',
    name: image.Name ?? '',
    // Unknown future states count as `pending`: the waiter keeps waiting instead of declaring success.
    state: IMAGE_STATES.has(state) ? (state as ImageState) : 'pending',
    tags: tagsToRecord(image.Tags),
    snapshotIds: (image.BlockDeviceMappings ?? []).flatMap((m) => (m.Ebs?.SnapshotId ? [m.Ebs.SnapshotId] : [])),
  };
  const creationDate = toDate(image.CreationDate);
  if (creationDate) info.creationDate = creationDate;
  if (image.StateReason?.Message) info.stateReason = image.StateReason.Message;
  if (image.OwnerId) info.ownerId = image.OwnerId;
  return info;
}

/** `"45%"` → 45; undefined when AWS has not reported progress yet. */
export function parseProgress(progress: string | undefined): number | undefined {
  if (!progress) return undefined;
  const value = Number.parseFloat(progress.replace('%', ''));
  return Number.isFinite(value) ? Math.min(100, Math.max(0, value)) : undefined;
}

/** Average progress of the snapshots that report one; a `completed` snapshot counts as 100. */
export function averageSnapshotProgress(snapshots: Snapshot[]): number | undefined {
  const values = snapshots.flatMap((s) => {
    const value = s.State === 'completed' ? 100 : parseProgress(s.Progress);
    return value === undefined ? [] : [value];
  });
  if (values.length === 0) return undefined;
  return Math.round(values.reduce((a, b) => a + b, 0) / values.length);
}

/**
 * Image.DeregistrationProtection as EC2 words it: `disabled`, `enabled`, `enabled-with-cooldown`, or
 * `disabled-until <time>` during the cooldown. Anything else reads as protected: a reader that does not know a
 * state must not deregister.
 */
export function parseDeregistrationProtection(value: string | undefined): DeregistrationProtection {
  const text = (value ?? '').trim();
  if (text === '' || text === 'disabled') return { state: 'off' };
  if (text.startsWith('enabled')) return { state: 'on', cooldown: text.includes('cooldown') };
  const until = toDate(text.replace(/^disabled-until\s*/, ''));
  return until && text.startsWith('disabled-until') ? { state: 'cooling-down', until } : { state: 'cooling-down' };
}

export function toLifecycleImageInfo(image: Image): LifecycleImageInfo {
  const info: LifecycleImageInfo = {
    ...toImageInfo(image),
    volumes: (image.BlockDeviceMappings ?? []).flatMap((m) =>
      m.Ebs?.SnapshotId ? [{ snapshotId: m.Ebs.SnapshotId, sizeGiB: m.Ebs.VolumeSize ?? 0 }] : [],
    ),
    protection: parseDeregistrationProtection(image.DeregistrationProtection),
  };
  const deprecationTime = toDate(image.DeprecationTime);
  if (deprecationTime) info.deprecationTime = deprecationTime;
  return info;
}

/** CreateImage describes each snapshot it takes as `Created by CreateImage(i-…) for ami-… [from vol-…]`. */
export function imageIdOfSnapshotDescription(description: string | undefined): string | undefined {
  return /^Created by CreateImage\([^)]*\) for (ami-[0-9a-f]+)/.exec(description ?? '')?.[1];
}

const SNAPSHOT_STATES = new Set<string>(['pending', 'completed', 'error', 'recoverable', 'recovering']);

export function toSnapshotInfo(snapshot: Snapshot): SnapshotInfo {
  const state = snapshot.State ?? '';
  const info: SnapshotInfo = {
    id: snapshot.SnapshotId ?? '',
    state: SNAPSHOT_STATES.has(state) ? (state as SnapshotState) : 'pending',
    sizeGiB: snapshot.VolumeSize ?? 0,
    tags: tagsToRecord(snapshot.Tags),
  };
  const startTime = toDate(snapshot.StartTime);
  if (startTime) info.startTime = startTime;
  const imageId = imageIdOfSnapshotDescription(snapshot.Description);
  if (imageId) info.createdForImageId = imageId;
  return info;
}
