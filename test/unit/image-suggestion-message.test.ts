import { describe, expect, it } from 'vitest';
import { text } from '../../src/shared/text.js';
import {
  formatBytes,
  imageFallbackMessage,
  imagePreviewFallbackMessage,
  imagePreviewMessage,
  imageSuggestionMessage,
  usageScopeText,
} from '../../src/slack/blocks/image-suggestion-message.js';
import { sampleSuggestion } from '../support/sample-suggestion.js';

describe('imageSuggestionMessage', () => {
  it('lists the chosen images with their bytes, shares and savings, the left-out ones with reasons, and the diff', () => {
    const message = imageSuggestionMessage(sampleSuggestion());
    const all = JSON.stringify(message.blocks);
    expect(all).toContain('2 images, 5.50 GB of the 50.00 GB disk budget');
    expect(all).toContain('`quay.io/domino/base:5` (base): +4.00 GB (8% of the budget)');
    expect(all).toContain(
      '70 runs (50%), 5 users on small 60, large 5, gpu &lt;!here&gt; 3, +1 tiers · saves 17 min 30 s/week',
    );
    expect(all).toContain('over the budget, would add 60.00 GB with 44.50 GB left');
    expect(all).toContain('saves no pull time');
    expect(all).toContain('its manifest could not be read');
    expect(all).toContain('Added: `quay.io/team/py:3`');
    expect(all).toContain('Removed: `old/x:1`');
    expect(all).toContain('ami-0123456789abcdef0');
  });

  it('says where the disk budget comes from: the template’s root volume, or the setting that overrides it', () => {
    const context = (s: ReturnType<typeof sampleSuggestion>) =>
      JSON.stringify(imageSuggestionMessage(s).blocks.filter((b) => b.type === 'context'));
    expect(context(sampleSuggestion())).toContain(
      'Disk budget: 50% of the 100 GiB root volume of the executor template acme-executor-template &lt;!here&gt; (i-0template00000001).',
    );
    expect(
      context(sampleSuggestion({ budgetSource: { kind: 'root-volume-setting', rootVolumeGiB: 80, share: 0.25 } })),
    ).toContain('Disk budget: 25% of the 80 GiB root volume set by `imageSelection.rootVolumeGiB`.');
    expect(context(sampleSuggestion({ budgetSource: { kind: 'disk-budget-setting' } }))).toContain(
      'Disk budget: set by `imageSelection.diskBudgetGiB`.',
    );
    // A report stored before the source was recorded still renders, without it.
    const { budgetSource: _, ...older } = sampleSuggestion();
    expect(context(older)).not.toContain('Disk budget:');
    expect(context(older)).toContain('Runs of the last 14 days');
  });

  it('says whose runs were counted: the tiers or node pools the AMI serves, or all but the pinned ones and why', () => {
    expect(usageScopeText({ kind: 'served', tiers: ['Small', 'Medium <!here>'] })).toBe(
      'on the 2 tiers the AMI serves (Small, Medium &lt;!here&gt;)',
    );
    expect(usageScopeText({ kind: 'served', tiers: ['Small'], pools: ['compute', 'default'] })).toBe(
      'on the 1 tier of the node pools the AMI serves, compute, default (Small)',
    );
    expect(usageScopeText({ kind: 'all-but-pinned', reason: text`Domino said ${'<!channel>'}.` })).toBe(
      'on every tier but the pinned ones (which tiers the AMI serves could not be read: Domino said &lt;!channel&gt;.)',
    );
    expect(usageScopeText(undefined)).toBe('on every tier but the pinned ones');
    const named = sampleSuggestion();
    named.chosen[1]!.tiers[0]!.label = 'Small <!here>';
    expect(JSON.stringify(imageSuggestionMessage(named).blocks)).toContain(
      '5 users on Small &lt;!here&gt; 60, large 5',
    );
    const context = JSON.stringify(
      imageSuggestionMessage(sampleSuggestion({ usageScope: { kind: 'served', tiers: ['Small'] } })).blocks,
    );
    expect(context).toContain('Runs of the last 14 days: 140 on the 1 tier the AMI serves (Small), each assumed');
  });

  it('speaks of node groups, the node template and nodes for an EKS deployment', () => {
    const eks = JSON.stringify(imageSuggestionMessage(sampleSuggestion({ kind: 'eks-node-groups' })).blocks);
    expect(eks).toContain('*Against the AMI most standard node groups use now (ami-0123456789abcdef0)*');
    expect(eks).toContain('root volume of the node template acme-executor-template');
    expect(eks).toContain('each assumed to pull on a new node at');
    // (The template's EC2 Name, outside text, says executor; the bot's own words do not.)
    expect(eks).not.toMatch(/new executor|executor template|standard tiers|hardware tiers use/);
    const tiers = JSON.stringify(imageSuggestionMessage(sampleSuggestion()).blocks);
    expect(tiers).toContain('*Against the AMI most standard hardware tiers use now');
    expect(tiers).toContain('each assumed to pull on a new executor at');
  });

  it('/ami suggest: the same suggestion, then that nothing was baked and the command that bakes it', () => {
    const preview = imagePreviewMessage(sampleSuggestion());
    const all = JSON.stringify(preview.blocks);
    expect(all).toContain('2 images, 5.50 GB of the 50.00 GB disk budget');
    expect(all).toContain('Nothing was baked. `/ami bake acme --images auto` bakes this list, chosen again');
    expect(preview.text).toMatch(/Nothing was baked\.$/);
    const fallback = imagePreviewFallbackMessage('acme', text`Cannot reach ${'<!channel>'}.`, ['a:1']);
    const shown = JSON.stringify(fallback.blocks);
    expect(shown).toContain('Cannot reach &lt;!channel&gt;.');
    expect(shown).toContain('*`/ami bake acme --images auto` would bake the configured list instead*');
    expect(shown).toContain('• `a:1`');
    expect(JSON.stringify(imagePreviewFallbackMessage('acme', text`down`, []).blocks)).toContain(
      'would bake nothing: no images are configured either',
    );
  });

  it('escapes outside text: a reference or a registry error cannot mention or link', () => {
    const all = JSON.stringify(imageSuggestionMessage(sampleSuggestion()).blocks);
    expect(all).not.toContain('<!channel>');
    expect(all).not.toContain('<@U0BAD>');
    expect(all).not.toContain('<!here>');
    expect(all).toContain('&lt;!channel&gt;');
  });

  it('says the configured list is baked when there is no suggestion', () => {
    const message = imageFallbackMessage(text`Cannot reach the registry ${'quay.io'}.`, ['a:1', 'b:2']);
    expect(message.text).toContain('No image suggestion: Cannot reach the registry quay.io.');
    expect(JSON.stringify(message.blocks)).toContain('• `a:1`');
  });
});

describe('formatBytes', () => {
  it('prints decimal units as registries do', () => {
    expect([formatBytes(512), formatBytes(1_500), formatBytes(2_500_000), formatBytes(3_210_000_000)]).toEqual([
      '512 B',
      '1.5 kB',
      '2.5 MB',
      '3.21 GB',
    ]);
  });
});
