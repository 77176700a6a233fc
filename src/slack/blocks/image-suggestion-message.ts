import type { Block } from '../../ports/chat.js';
import type { BudgetSource } from '../../selection/disk-budget.js';
import type { ImageSuggestion, LeftOutSuggestion, UsageScope } from '../../selection/image-suggestion.js';
import { formatDuration, truncate } from '../../shared/format.js';
import { type TargetNoun, targetNoun } from '../../shared/target-noun.js';
import type { Text } from '../../shared/text.js';
import { codeText, contextBlock, escapeMrkdwn, fitLines, mrkdwnSection, SECTION_MAX } from './block-text.js';
import { renderMrkdwn, renderMrkdwnCut } from './render-text.js';

const GB = 1e9;

/** Sizes as registries and `docker images` print them: decimal GB/MB. */
export function formatBytes(bytes: number): string {
  if (bytes >= GB) return `${(bytes / GB).toFixed(2)} GB`;
  if (bytes >= 1e6) return `${(bytes / 1e6).toFixed(1)} MB`;
  if (bytes >= 1e3) return `${(bytes / 1e3).toFixed(1)} kB`;
  return `${bytes} B`;
}

const percent = (share: number) => `${(share * 100).toFixed(share > 0 && share < 0.01 ? 1 : 0)}%`;
const perWeek = (seconds: number) => `${formatDuration(Math.round(seconds) * 1000)}/week`;
const ref = (value: string) => codeText(truncate(value, 150));

/** The three tiers with most runs, e.g. ` on small 60, large 10, +2 tiers`. */
function tierList(tiers: ReadonlyArray<{ tier: string; runs: number; label?: string }>): string {
  if (tiers.length === 0) return '';
  const shown = tiers.slice(0, 3).map((t) => `${escapeMrkdwn(truncate(t.label ?? t.tier, 40))} ${t.runs}`);
  const more = tiers.length > 3 ? `, +${tiers.length - 3} tiers` : '';
  return ` on ${shown.join(', ')}${more}`;
}

/** Where the disk budget comes from, in mrkdwn: e.g. `50% of the 100 GiB root volume of acme-executor-template (i-…)`. */
export function budgetSourceText(
  source: BudgetSource | undefined,
  noun: TargetNoun = targetNoun(),
): string | undefined {
  if (!source) return undefined;
  switch (source.kind) {
    case 'disk-budget-setting':
      return `set by ${codeText('imageSelection.diskBudgetGiB')}`;
    case 'root-volume-setting':
      return `${percent(source.share)} of the ${source.rootVolumeGiB} GiB root volume set by ${codeText('imageSelection.rootVolumeGiB')}`;
    case 'template-root-volume': {
      const name = source.instanceName ? `${escapeMrkdwn(truncate(source.instanceName, 100))} ` : '';
      return `${percent(source.share)} of the ${source.rootVolumeGiB} GiB root volume of the ${noun.template} ${name}(${escapeMrkdwn(source.instanceId)})`;
    }
  }
}

/** Whose runs were counted, e.g. `on the 2 tiers the AMI serves (Small, Medium)`, in mrkdwn. */
export function usageScopeText(scope: UsageScope | undefined): string {
  // Reports stored before the scope was recorded counted every tier but the pinned ones.
  if (!scope) return 'on every tier but the pinned ones';
  if (scope.kind === 'all-but-pinned') {
    return scope.reason
      ? `on every tier but the pinned ones (which tiers the AMI serves could not be read: ${renderMrkdwnCut(scope.reason, 300)})`
      : 'on every tier but the pinned ones';
  }
  const names = scope.tiers.slice(0, 8).map((t) => escapeMrkdwn(truncate(t, 40)));
  const more = scope.tiers.length > 8 ? `, +${scope.tiers.length - 8}` : '';
  const list = scope.tiers.length === 0 ? '' : ` (${names.join(', ')}${more})`;
  const tiers = `${scope.tiers.length} tier${scope.tiers.length === 1 ? '' : 's'}`;
  if (!scope.pools) return `on the ${tiers} the AMI serves${list}`;
  const pools = scope.pools.map((p) => escapeMrkdwn(truncate(p, 40))).join(', ');
  return `on the ${tiers} of the node pools the AMI serves, ${pools || 'none'}${list}`;
}

function leftOutLine(item: LeftOutSuggestion, remaining: number, noun: TargetNoun): string {
  const runs = `${item.runs} run${item.runs === 1 ? '' : 's'}`;
  switch (item.reason) {
    case 'over_budget':
      return `• ${ref(item.ref)}: over the budget, would add ${formatBytes(item.marginalBytes ?? 0)} with ${formatBytes(remaining)} left (${runs}, would save ${perWeek(item.marginalSecondsPerWeek ?? 0)})`;
    case 'no_benefit':
      return `• ${ref(item.ref)}: saves no pull time (${runs} on the tiers the ${noun.ami} serves)`;
    case 'not_readable':
      return `• ${ref(item.ref)}: its manifest could not be read (${runs}): ${item.detail ? renderMrkdwnCut(item.detail, 300) : 'unknown error'}`;
  }
}

/** The suggestion in a bake's thread (or the review): chosen list with shares, left out with reasons, the diff. */
export function imageSuggestionMessage(s: ImageSuggestion): { text: string; blocks: Block[] } {
  const noun = targetNoun(s.kind);
  const summary =
    `${s.chosen.length} image${s.chosen.length === 1 ? '' : 's'}, ${formatBytes(s.totalBytes)} of the ` +
    `${formatBytes(s.budgetBytes)} disk budget; about ${perWeek(s.secondsSavedPerWeek)} of pulling saved`;
  const chosen = s.chosen.map(
    (c) =>
      `• ${ref(c.ref)}${c.base ? ' (base)' : ''}: +${formatBytes(c.marginalBytes)} (${percent(c.diskShare)} of the budget) · ` +
      `${c.runs} runs (${percent(c.runShare)}), ${c.users} user${c.users === 1 ? '' : 's'}${tierList(c.tiers)} · saves ${perWeek(c.marginalSecondsPerWeek)}`,
  );
  const remaining = Math.max(0, s.budgetBytes - s.totalBytes);
  const blocks: Block[] = [
    { type: 'header', text: { type: 'plain_text', text: truncate(`Suggested images · ${s.deployment}`, 150) } },
    mrkdwnSection(`*${escapeMrkdwn(summary)}*`),
    mrkdwnSection(fitLines([`*Chosen*`, ...chosen], SECTION_MAX)),
  ];
  if (s.leftOut.length > 0) {
    blocks.push(
      mrkdwnSection(
        fitLines([`*Left out*`, ...s.leftOut.map((item) => leftOutLine(item, remaining, noun))], SECTION_MAX),
      ),
    );
  }
  if (s.diff) {
    const list = (refs: readonly string[]) => (refs.length === 0 ? 'none' : refs.map(ref).join(', '));
    const on = s.diff.currentImageId ? ` (${escapeMrkdwn(s.diff.currentImageId)})` : '';
    blocks.push(
      mrkdwnSection(
        fitLines(
          [
            `*Against the AMI most standard ${noun.many} use now${on}*`,
            `Added: ${list(s.diff.added)}`,
            `Removed: ${list(s.diff.removed)}`,
            `Kept: ${s.diff.kept.length}`,
          ],
          SECTION_MAX,
        ),
      ),
    );
  }
  const budget = budgetSourceText(s.budgetSource, noun);
  blocks.push(
    contextBlock(
      `${budget ? `Disk budget: ${budget}. ` : ''}Runs of the last ${s.windowDays} days: ${s.totalRuns} ${usageScopeText(s.usageScope)}, each assumed to pull on a new ${noun.machine} at ${formatBytes(s.bandwidthBytesPerSecond)}/s; shared layers counted once; ${s.method === 'exact' ? 'best choice by exact search' : 'greedy choice (many candidates)'}.`,
    ),
  );
  return { text: `Suggested images for ${escapeMrkdwn(s.deployment)}: ${escapeMrkdwn(summary)}`, blocks };
}

/** No suggestion: why, and that the configured list is baked instead. */
export function imageFallbackMessage(reason: Text, images: readonly string[]): { text: string; blocks: Block[] } {
  const why = renderMrkdwnCut(reason, 1_500);
  return {
    text: `:warning: No image suggestion: ${why} Baking the configured list instead.`,
    blocks: [
      mrkdwnSection(`:warning: *No image suggestion*: ${why}`),
      mrkdwnSection(
        fitLines([`*Baking the configured list instead*`, ...images.map((i) => `• ${ref(i)}`)], SECTION_MAX),
      ),
    ],
  };
}

/** A reply with a note line before it. */
export function withNote(reply: { text: string; blocks?: Block[] }, note: Text): { text: string; blocks?: Block[] } {
  return { ...reply, text: `${renderMrkdwn(note)}\n${reply.text}` };
}

/** `/ami suggest`: the suggestion as a bake's thread shows it, then that nothing was baked and how to bake it. */
export function imagePreviewMessage(s: ImageSuggestion): { text: string; blocks: Block[] } {
  const message = imageSuggestionMessage(s);
  const bake = codeText(`/ami bake ${truncate(s.deployment, 63)} --images auto`);
  return {
    text: `${message.text}. Nothing was baked.`,
    blocks: [
      ...message.blocks,
      mrkdwnSection(`Nothing was baked. ${bake} bakes this list, chosen again from the latest runs when it starts.`),
    ],
  };
}

/** `/ami suggest` without a suggestion: why, and the configured list `--images auto` would bake instead. */
export function imagePreviewFallbackMessage(
  deployment: string,
  reason: Text,
  images: readonly string[],
): { text: string; blocks: Block[] } {
  const why = renderMrkdwnCut(reason, 1_500);
  const bake = codeText(`/ami bake ${truncate(deployment, 63)} --images auto`);
  const list =
    images.length === 0
      ? [`${bake} would bake nothing: no images are configured either (\`deployments[].images\`).`]
      : [`*${bake} would bake the configured list instead*`, ...images.map((i) => `• ${ref(i)}`)];
  return {
    text: `:warning: No image suggestion: ${why} Nothing was baked.`,
    blocks: [
      mrkdwnSection(`:warning: *No image suggestion*: ${why}`),
      mrkdwnSection(fitLines(list, SECTION_MAX)),
      contextBlock('Nothing was baked.'),
    ],
  };
}
