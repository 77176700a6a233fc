import type { BakeRecord } from '../bake/bake-record.js';
import { BAKE_ID_TAG } from '../bake/image-tags.js';
import type { DeregistrationProtection, ImageState, LifecycleImageInfo, SnapshotInfo } from '../ports/ec2.js';
import type { AmiReference } from './ami-references.js';

/** One AMI this deployment's bakes produced, with what it costs and what still needs it. */
export interface InventoryAmi {
  id: string;
  name: string;
  state: ImageState;
  createdAt?: Date;
  bakeId?: string;
  snapshotIds: string[];
  /** Sum of its volumes' sizes: what the cost estimate counts. */
  sizeGiB: number;
  protection: DeregistrationProtection;
  deprecationTime?: Date;
  references: AmiReference[];
  /** Why no bake record explains it (an orphan), when none does. */
  orphan?: string;
}

/** A snapshot carrying this deployment's tags whose image is gone. */
export interface OrphanSnapshot {
  id: string;
  sizeGiB: number;
  imageId?: string;
  startTime?: Date;
}

export interface Inventory {
  deployment: string;
  at: Date;
  pricePerGbMonth: number;
  amis: InventoryAmi[];
  orphanSnapshots: OrphanSnapshot[];
}

export interface InventoryInputs {
  deployment: string;
  at: Date;
  pricePerGbMonth: number;
  images: readonly LifecycleImageInfo[];
  snapshots: readonly SnapshotInfo[];
  references: ReadonlyMap<string, AmiReference[]>;
  /** The bake record each image's bake-id tag names (absent: no such record). */
  bakes: ReadonlyMap<string, BakeRecord>;
  /** Image ids of snapshots not among `images` that EC2 confirmed still exist (then not orphans). */
  liveImageIds: ReadonlySet<string>;
}

/** Monthly snapshot storage estimate: volume size × price. EBS bills the blocks stored, which can be less. */
export function monthlyCostEstimate(sizeGiB: number, pricePerGbMonth: number): number {
  return Math.round(sizeGiB * pricePerGbMonth * 100) / 100;
}

/** Why no bake record accounts for the image, or undefined when one does (or may still: a bake in flight). */
export function orphanReason(image: LifecycleImageInfo, bake: BakeRecord | undefined): string | undefined {
  const bakeId = image.tags[BAKE_ID_TAG];
  if (!bakeId) return 'it carries no bake id';
  if (!bake) return `no bake ${bakeId} is recorded`;
  if (bake.facts.imageId === image.id) return undefined;
  // A running bake may have made the image and not saved its id yet: its own cleanup decides.
  if (bake.status === 'running' || bake.status === 'compensating') return undefined;
  return bake.facts.imageId
    ? `bake ${bakeId} recorded another image (${bake.facts.imageId})`
    : `bake ${bakeId} ended ${bake.status} without recording it`;
}

/** The inventory (pure): every tagged image with size, references and orphan status; the orphaned snapshots. */
export function buildInventory(inputs: InventoryInputs): Inventory {
  const imageIds = new Set(inputs.images.map((i) => i.id));
  const amis = inputs.images
    .map((image): InventoryAmi => {
      const bakeId = image.tags[BAKE_ID_TAG];
      const orphan = orphanReason(image, bakeId ? inputs.bakes.get(bakeId) : undefined);
      return {
        id: image.id,
        name: image.name,
        state: image.state,
        ...(image.creationDate ? { createdAt: image.creationDate } : {}),
        ...(bakeId ? { bakeId } : {}),
        snapshotIds: image.snapshotIds.slice(),
        sizeGiB: image.volumes.reduce((sum, v) => sum + v.sizeGiB, 0),
        protection: image.protection,
        ...(image.deprecationTime ? { deprecationTime: image.deprecationTime } : {}),
        references: inputs.references.get(image.id) ?? [],
        ...(orphan ? { orphan } : {}),
      };
    })
    .sort((a, b) => (b.createdAt?.getTime() ?? 0) - (a.createdAt?.getTime() ?? 0));
  const orphanSnapshots = inputs.snapshots
    .filter(
      (s) =>
        !(s.createdForImageId && (imageIds.has(s.createdForImageId) || inputs.liveImageIds.has(s.createdForImageId))),
    )
    .map((s) => ({
      id: s.id,
      sizeGiB: s.sizeGiB,
      ...(s.createdForImageId ? { imageId: s.createdForImageId } : {}),
      ...(s.startTime ? { startTime: s.startTime } : {}),
    }));
  return {
    deployment: inputs.deployment,
    at: inputs.at,
    pricePerGbMonth: inputs.pricePerGbMonth,
    amis,
    orphanSnapshots,
  };
}

export function totalGiB(inventory: Pick<Inventory, 'amis' | 'orphanSnapshots'>): number {
  return (
    inventory.amis.reduce((sum, a) => sum + a.sizeGiB, 0) + inventory.orphanSnapshots.reduce((s, o) => s + o.sizeGiB, 0)
  );
}
