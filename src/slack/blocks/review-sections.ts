import type { Block } from '../../ports/chat.js';
import type { AmiInventorySummary, ReviewReport, TierAmiLine } from '../../review/review-report.js';
import { formatLocalDate } from '../../review/zoned-time.js';
import { capitalise, formatDuration, plural, truncate } from '../../shared/format.js';
import { targetNoun } from '../../shared/target-noun.js';
import { codeText, escapeMrkdwn, userMention } from './block-text.js';
import { budgetSourceText, formatBytes } from './image-suggestion-message.js';

/** The report's body (pure): tiers by AMI, latest bake, last test, environments vs the AMI, advice. */

const SECTION_MAX = 2_900;
/** Over ~12k chars of blocks Slack answers msg_blocks_too_long (bolt-js#2509): budgets keep us far below. */
const TIER_BUDGET = 5_500;
const ENV_BUDGET = 2_200;
const MAX_LABELS = 20;
const LABELS_BUDGET = 400;
export const OLD_AMI_DAYS = 90;

const section = (text: string): Block => ({ type: 'section', text: { type: 'mrkdwn', text } });
/** Shown names are data from AWS and Domino: escaped, also inside code spans. */
const code = codeText;
const esc = escapeMrkdwn;

/** Lines into sections of ≤ SECTION_MAX chars within a total budget; what does not fit is counted, not cut mid-line. */
export function linesToSections(title: string, lines: string[], budget: number, more: (n: number) => string): Block[] {
  const blocks: Block[] = [];
  let current = title;
  let used = 0;
  for (let i = 0; i < lines.length; i++) {
    const line = truncate(lines[i] ?? '', 600);
    if (used + line.length > budget) {
      current += `\n${more(lines.length - i)}`;
      break;
    }
    if (current.length + line.length + 1 > SECTION_MAX) {
      blocks.push(section(current));
      current = '';
    }
    current += current === '' ? line : `\n${line}`;
    used += line.length + 1;
  }
  blocks.push(section(current));
  return blocks;
}

interface AmiGroup {
  amiId: string;
  amiName?: string;
  ageDays?: number;
  kind: TierAmiLine['kind'];
  why: string;
  labels: string[];
}

export function groupTiersByAmi(tiers: readonly TierAmiLine[]): AmiGroup[] {
  const groups = new Map<string, AmiGroup>();
  for (const t of tiers) {
    const key = `${t.amiId}|${t.kind}|${t.why}`;
    const group = groups.get(key) ?? {
      amiId: t.amiId,
      ...(t.amiName ? { amiName: t.amiName } : {}),
      ...(t.ageDays === undefined ? {} : { ageDays: t.ageDays }),
      kind: t.kind,
      why: t.why,
      labels: [],
    };
    group.labels.push(t.label);
    groups.set(key, group);
  }
  // Standard first (what a new bake replaces), then the oldest AMI first.
  return [...groups.values()].sort((a, b) =>
    a.kind === b.kind ? (b.ageDays ?? -1) - (a.ageDays ?? -1) : a.kind === 'standard' ? -1 : 1,
  );
}

function groupLine(group: AmiGroup): string {
  const age =
    group.ageDays === undefined
      ? 'age unknown'
      : `${plural(group.ageDays, 'day')} old${group.ageDays > OLD_AMI_DAYS ? ' :warning:' : ''}`;
  // Whole labels up to a budget, then a count: a cut label would read as a different tier.
  const shown: string[] = [];
  let length = 0;
  for (const label of group.labels.slice(0, MAX_LABELS)) {
    if (shown.length > 0 && length + label.length > LABELS_BUDGET) break;
    shown.push(esc(label));
    length += label.length + 2;
  }
  const labels = shown.join(', ');
  const more = group.labels.length > shown.length ? ` +${group.labels.length - shown.length} more` : '';
  const name = group.amiName ? ` ${code(group.amiName)}` : '';
  // A node group on an AMI EKS chooses (or a tier naming none) has no AMI id: an empty code span reads as a glitch.
  const ami = group.amiId ? code(group.amiId) : 'no AMI id';
  return `• ${ami}${name} — ${age}, *${group.kind}* (${esc(group.why)}): ${labels}${more}`;
}

/** The deployment's targets by AMI: its hardware tiers, or on EKS its node groups. */
export function tierSections(report: ReviewReport): Block[] {
  const noun = targetNoun(report.kind);
  const heading = capitalise(noun.many);
  if (!report.tiers) return [section(`*${heading}*\n${esc(report.tiersNote ?? 'Not available.')}`)];
  if (report.tiers.length === 0) return [section(`*${heading}*\nNo ${noun.many} found.`)];
  const groups = groupTiersByAmi(report.tiers);
  const amis = new Set(report.tiers.flatMap((t) => (t.amiId ? [t.amiId] : []))).size;
  const title = `*${heading} by AMI* (${plural(report.tiers.length, noun.short, noun.shortMany)} on ${plural(amis, 'AMI')})`;
  return linesToSections(title, groups.map(groupLine), TIER_BUDGET, (n) => `… and ${plural(n, 'more AMI group')}.`);
}

export function bakeSection(report: ReviewReport): Block {
  const bake = report.latestBake;
  if (!bake) return section(`*Latest bake*\nNo bake of ${report.deployment} recorded by ami-bot yet.`);
  const when = formatLocalDate(bake.endedAt ?? bake.createdAt, report.timeZone);
  const ami = bake.imageId ? ` → ${code(bake.imageId)}${bake.imageName ? ` ${code(bake.imageName)}` : ''}` : '';
  const images = truncate(bake.images.map(code).join(', '), 1_500);
  return section(
    `*Latest bake*\n${code(bake.id)} by ${userMention(bake.requester)}, ${bake.status} ${when}${ami}\nImages: ${images}`,
  );
}

export function testSection(report: ReviewReport): Block {
  const test = report.lastTest;
  if (!test) return section('*Last AMI test*\nNo test recorded.');
  const seconds = (s: number | undefined) => (s === undefined ? 'not measured' : formatDuration(s * 1000));
  const tier = test.tierLabel ? ` on ${esc(test.tierLabel)}` : '';
  return section(
    `*Last AMI test*\n${code(test.id)} of ${code(test.amiId)}${tier}, ${formatLocalDate(test.at, report.timeZone)} (${test.status}): ` +
      `Pulling ${seconds(test.pullingSeconds)}, start ${seconds(test.startSeconds)}`,
  );
}

/** The AMI lifecycle's numbers for one deployment, in one line (the review and the App Home say the same). */
export function inventorySummaryLine(deployment: string, inv: AmiInventorySummary): string {
  const orphans = inv.orphanImages + inv.orphanSnapshots;
  const orphanLine =
    orphans === 0
      ? '0 orphans'
      : `${plural(orphans, 'orphan')} (${plural(inv.orphanImages, 'image')}, ${plural(inv.orphanSnapshots, 'snapshot')} no record explains)`;
  return (
    `${plural(inv.amis, 'AMI')} of ${esc(deployment)}'s bakes, ${inv.snapshotGiB} GiB of snapshots, ` +
    `~$${inv.monthlyCostUsd.toFixed(2)}/month (estimate); ${plural(inv.retirable, 'AMI')} retirable by the retention policy (\`/ami prune\`); ${orphanLine}.`
  );
}

/** The AMI lifecycle's numbers; nothing for a review stored before there were any. */
export function inventorySections(report: ReviewReport): Block[] {
  const inv = report.inventory;
  if (!inv) return report.inventoryNote ? [section(`*AMIs and snapshots*\n${esc(report.inventoryNote)}`)] : [];
  return [section(`*AMIs and snapshots*\n${inventorySummaryLine(report.deployment, inv)}`)];
}

export function environmentSections(report: ReviewReport): Block[] {
  const envs = report.environments;
  if (!envs) return [section(`*Environments in use*\n${esc(report.environmentsNote ?? 'Not available.')}`)];
  if (envs.length === 0) return [section('*Environments in use*\nNo runs seen in the look-back window.')];
  const cacheNote = report.cacheBake
    ? `compared with the images of bake ${code(report.cacheBake.id)}`
    : 'no ami-bot bake is recorded for the AMI, so what it caches is unknown';
  const missing = envs.filter((e) => e.cached !== true);
  const cached = envs.filter((e) => e.cached === true);
  const line = (e: (typeof envs)[number]) => {
    const icon = e.cached === false ? ':x:' : ':grey_question:';
    const why = e.cached === false ? 'not on the AMI' : e.image ? 'cache unknown' : 'image unknown';
    return `${icon} ${esc(e.environment)}${e.image ? ` ${code(e.image)}` : ''} — ${plural(e.runs, 'run')}, ${why}`;
  };
  const lines = missing.map(line);
  if (cached.length > 0) {
    const runs = cached.reduce((sum, e) => sum + e.runs, 0);
    lines.push(`:white_check_mark: ${plural(cached.length, 'environment')} (${plural(runs, 'run')}) already cached`);
  }
  return linesToSections(`*Environments in use* (${cacheNote})`, lines, ENV_BUDGET, (n) => `… and ${n} more.`);
}

const SUGGESTED_BUDGET = 1_800;

/** What `/ami bake --images auto` would bake now: the chosen list with shares, then what was left out. */
export function suggestedImagesSections(report: ReviewReport): Block[] {
  const s = report.suggestedImages;
  if (!s) return report.suggestedImagesNote ? [section(`*Suggested images*\n${esc(report.suggestedImagesNote)}`)] : [];
  const pct = (share: number) => `${Math.round(share * 100)}%`;
  const lines = [
    ...s.chosen.map(
      (c) =>
        `• ${code(c.ref)}${c.base ? ' (base)' : ''}: +${formatBytes(c.marginalBytes)}, ${pct(c.runShare)} of the runs`,
    ),
    ...s.leftOut.map((l) => `• left out ${code(l.ref)}: ${LEFT_OUT[l.reason]}`),
  ];
  const budget = budgetSourceText(s.budgetSource, targetNoun(s.kind ?? report.kind));
  const title =
    `*Suggested images* (\`/ami bake --images auto\`): ${plural(s.chosen.length, 'image')}, ` +
    `${formatBytes(s.totalBytes)} of ${formatBytes(s.budgetBytes)}${budget ? ` (${budget})` : ''}, about ${formatDuration(Math.round(s.secondsSavedPerWeek) * 1000)} of pulling saved per week`;
  return linesToSections(title, lines, SUGGESTED_BUDGET, (n) => `… and ${n} more.`);
}

const LEFT_OUT: Record<NonNullable<ReviewReport['suggestedImages']>['leftOut'][number]['reason'], string> = {
  over_budget: 'over the disk budget',
  no_benefit: 'saves no pull time',
  not_readable: 'its manifest could not be read',
};

/** The seed's FAQ, plus what it means here. */
export function adviceSection(report: ReviewReport): Block {
  const lines = [
    ':bulb: *Advice from the admin guide*',
    `• Build most environments on a small number (fewer than 5) of base images and add those images to the AMI: layers they share are then already on every new ${targetNoun(report.kind).machine}.`,
    '• Review AMIs and compute environments quarterly, or whenever users’ runs spend long in *Pulling*.',
    '• Removing old images from the AMI is optional; users of them just pull for longer.',
  ];
  const images = new Set((report.environments ?? []).flatMap((e) => (e.image ? [e.image] : [])));
  if (images.size >= 5) {
    lines.push(`• ${images.size} different images are in use: consider moving environments onto fewer base images.`);
  }
  const missing = (report.environments ?? []).filter((e) => e.cached === false && e.image).map((e) => e.image!);
  const suggested = report.suggestedImages;
  if (missing.length > 0 && suggested) {
    // The suggestion already weighed the missing images against the disk: point at it, not past its budget.
    const leftOut = suggested.leftOut.length;
    lines.push(
      `• To bake the suggested images: ${code(`/ami bake ${report.deployment} --images auto`)}` +
        (leftOut > 0 ? ` (${plural(leftOut, 'image')} left out, as listed above).` : '.'),
    );
  } else if (missing.length > 0) {
    const refs = [...new Set([...report.bakeImages, ...missing.slice(0, 5)])].join(',');
    lines.push(
      `• To bake the missing images too: ${code(truncate(`/ami bake ${report.deployment} --images ${refs}`, 900))}`,
    );
  }
  return section(lines.join('\n'));
}
