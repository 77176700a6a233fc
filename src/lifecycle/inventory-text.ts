import { plural } from '../shared/format.js';
import { code, icon, joinText, type Text, text, words } from '../shared/text.js';
import { type Inventory, type InventoryAmi, monthlyCostEstimate, totalGiB } from './ami-inventory.js';
import type { AmiReference } from './ami-references.js';
import type { KeepReason, PrunePlan, RetireReason } from './prune-plan.js';

/** What the inventory says, as Text (the bot's words, outside values as spans); slack/ lays it out. */
export interface InventoryView {
  heading: Text;
  /** One line per AMI, newest first. */
  amis: Text[];
  /** The orphan sweep: what no record explains, or that nothing is. */
  orphans: Text[];
  /** How the numbers are made (the cost is an estimate). */
  note: Text;
}

const DAY_MS = 86_400_000;
const usd = (value: number) => `$${value.toFixed(2)}`;

export function referenceText(reference: AmiReference): Text {
  switch (reference.kind) {
    case 'tier':
      return text`tier ${reference.label}`;
    case 'node-group':
      return text`node group ${reference.label}`;
    case 'executor':
      return text`${reference.state} instance ${code(reference.instanceId)}`;
    case 'change':
      return text`${reference.role === 'target' ? 'target' : 'revert record'} of ${code(reference.changeId)} (${reference.status})`;
    case 'test':
      return text`${reference.role === 'under-test' ? 'under test' : 'restored after'} ${code(reference.testId)}`;
  }
}

export function keepReasonText(reason: KeepReason): Text {
  switch (reason.kind) {
    case 'referenced':
      return words('kept: in use');
    case 'in-progress':
      return text`kept: still ${reason.state}`;
    case 'newest':
      return words(`kept: newest ${reason.rank} of the last ${reason.keepLast}`);
    case 'young':
      return words(`kept: ${reason.ageDays} d old, younger than ${reason.keepDays} d`);
  }
}

export function retireReasonText(reason: RetireReason): Text {
  switch (reason.kind) {
    case 'superseded':
      return words(`would be retired: superseded (number ${reason.rank} by age, ${reason.ageDays} d old)`);
    case 'failed':
      return text`would be retired: ${reason.state}`;
    case 'orphan':
      return text`would be retired: orphan, ${reason.detail}`;
  }
}

function verdict(ami: InventoryAmi, plan: PrunePlan): Text {
  const kept = plan.kept.find((k) => k.imageId === ami.id);
  if (kept) return keepReasonText(kept.reason);
  const retired = plan.retire.find((r) => r.imageId === ami.id);
  return retired ? retireReasonText(retired.reason) : words('not judged');
}

function protectionText(ami: InventoryAmi): Text {
  if (ami.protection.state === 'on')
    return words(ami.protection.cooldown ? ', protected (24 h cooldown)' : ', protected');
  if (ami.protection.state === 'cooling-down') return words(', protection cooling down');
  return words('');
}

function amiLine(ami: InventoryAmi, inventory: Inventory, plan: PrunePlan): Text {
  const age = ami.createdAt
    ? `${Math.floor((inventory.at.getTime() - ami.createdAt.getTime()) / DAY_MS)} d`
    : 'age unknown';
  const cost = usd(monthlyCostEstimate(ami.sizeGiB, inventory.pricePerGbMonth));
  const used =
    ami.references.length === 0
      ? words('not in use')
      : text`used by ${joinText(ami.references.map(referenceText), ', ')}`;
  return text`${code(ami.id)} ${ami.name}: ${age}, ${ami.sizeGiB} GiB, ~${cost}/month${protectionText(ami)}; ${used}; ${verdict(ami, plan)}`;
}

/** The inventory and what the policy would do with each AMI, in the bot's words. */
export function inventoryView(inventory: Inventory, plan: PrunePlan): InventoryView {
  const gib = totalGiB(inventory);
  const cost = usd(monthlyCostEstimate(gib, inventory.pricePerGbMonth));
  const retiring = plan.retire.length;
  const heading = text`AMIs of ${inventory.deployment}: ${plural(inventory.amis.length, 'AMI')}, ${gib} GiB of snapshots, ~${cost}/month (estimate); the policy (keep the last ${String(plan.policy.keepLast)}, and anything younger than ${String(plan.policy.keepDays)} days) would retire ${plural(retiring, 'AMI')}.`;
  const orphanImages = inventory.amis.filter((a) => a.orphan);
  const orphans =
    orphanImages.length === 0 && inventory.orphanSnapshots.length === 0
      ? [text`${icon('ok')} Orphan sweep: 0 orphans (every tagged image and snapshot is explained by a record).`]
      : [
          text`${icon('warning')} Orphan sweep: ${plural(orphanImages.length, 'image')} and ${plural(inventory.orphanSnapshots.length, 'snapshot')} no record explains (removed by an approved prune):`,
          ...orphanImages.map((a) => text`image ${code(a.id)} ${a.name}: ${a.orphan ?? ''}`),
          ...inventory.orphanSnapshots.map(
            (s) =>
              text`snapshot ${code(s.id)}, ${s.sizeGiB} GiB: ${s.imageId ? text`its image ${code(s.imageId)} is gone` : words('made for no image ami-bot knows')}`,
          ),
        ];
  const note = words(
    `Cost is an estimate: snapshot GiB x $${inventory.pricePerGbMonth}/GB-month (retention.pricePerGbMonth); EBS bills the blocks a snapshot stores, which can be less than its volume's size.`,
  );
  return { heading, amis: inventory.amis.map((a) => amiLine(a, inventory, plan)), orphans, note };
}
