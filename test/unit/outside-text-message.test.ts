import { describe, expect, it } from 'vitest';
import type { BakeRecord } from '../../src/bake/bake-record.js';
import { newStepTable } from '../../src/bake/bake-steps.js';
import type { Block } from '../../src/ports/chat.js';
import type { AuditEntry } from '../../src/rollout/audit-record.js';
import { userNoticeMessage } from '../../src/slack/blocks/announce-message.js';
import { applyResultMessage } from '../../src/slack/blocks/apply-result-message.js';
import { bakeListMessage } from '../../src/slack/blocks/bake-list.js';
import { amiReadyMessage, bakeRootMessage } from '../../src/slack/blocks/bake-message.js';
import {
  channelMention,
  codeText,
  escapeCut,
  escapeExceptMentions,
  userMention,
} from '../../src/slack/blocks/block-text.js';
import { fullListMessages } from '../../src/slack/blocks/change-full-list.js';
import { changeMessage } from '../../src/slack/blocks/change-message.js';
import { historyMessage } from '../../src/slack/blocks/history-message.js';
import { reviewMessage, reviewReminderMessage } from '../../src/slack/blocks/review-message.js';
import { testMessage } from '../../src/slack/blocks/test-message.js';
import { helpMessage } from '../../src/slack/commands/command-table.js';
import { allText, sampleChange, sampleTest, T0, tierUpdates } from '../support/rollout-fixtures.js';
import { sampleReport, sampleReview } from '../support/sample-review.js';

/** Outside text (notes, Domino data, AWS names, command output, errors) in every builder: shown, never markup. */

const EVIL = '<!channel> <https://x.example|y> <@U1> & *bold*';
const INERT = '&lt;!channel&gt; &lt;https://x.example|y&gt; &lt;@U1&gt; &amp; *bold*';

function expectInert(message: { text: string; blocks?: Block[] }) {
  const text = allText(message);
  for (const bad of ['<!channel>', '<https://x.example', '<@U1>', ' & ']) expect(text).not.toContain(bad);
  return text;
}

function bake(overrides: Partial<BakeRecord> = {}): BakeRecord {
  return {
    _id: 'bake-20261128-abcd',
    deployment: 'acme',
    requester: 'U0ADMIN1',
    channel: 'C0OPS1',
    rootTs: '1.000100',
    images: [`quay.io/a:1${EVIL}`],
    noReboot: false,
    note: EVIL,
    status: 'failed',
    steps: newStepTable(),
    facts: { imageId: 'ami-1', imageName: `name ${EVIL}`, instanceId: 'i-1' },
    error: { code: 'pull_failed', message: `registry said ${EVIL}` },
    createdAt: T0,
    updatedAt: T0,
    ...overrides,
  };
}

describe('mentions and code spans rendered by us', () => {
  it('renders ids as mentions and anything else escaped', () => {
    expect(userMention('U0BOB')).toBe('<@U0BOB>');
    expect(userMention('W0GRID1')).toBe('<@W0GRID1>');
    expect(userMention('<!channel>')).toBe('&lt;!channel&gt;');
    expect(userMention('U1> <!here')).toBe('U1&gt; &lt;!here');
    expect(userMention(undefined)).toBe('someone');
    expect(channelMention('C0OPS')).toBe('<#C0OPS>');
    expect(channelMention('C0|evil>')).toBe('C0|evil&gt;');
    expect(codeText('a`b<c>')).toBe("`a'b&lt;c&gt;`");
  });

  it('turns back only the given ids into mentions', () => {
    expect(escapeExceptMentions('posted in <#C0ANN>; <@U0BAD> <!channel>', ['C0ANN'])).toBe(
      'posted in <#C0ANN>; &lt;@U0BAD&gt; &lt;!channel&gt;',
    );
    expect(escapeExceptMentions('<#C0ANN>', [undefined])).toBe('&lt;#C0ANN&gt;');
  });

  it('cuts escaped text without leaving half an entity', () => {
    expect(escapeCut('<'.repeat(10), 11, '…')).toBe('&lt;&lt;…');
    expect(escapeCut('a&b', 10)).toBe('a&amp;b');
  });
});

describe('outside text in builders', () => {
  it('bake root, list and AMI-ready messages', () => {
    const root = expectInert(bakeRootMessage(bake(), T0, { sandbox: false }));
    expect(root).toContain(`:memo: ${INERT}`);
    expect(root).toContain(`registry said ${INERT}`);
    expect(root).toContain('<@U0ADMIN1>');
    const list = expectInert(bakeListMessage([bake()], T0));
    expect(list).toContain('by <@U0ADMIN1>');
    expectInert(amiReadyMessage({ bakeId: 'b', imageId: 'ami-1', imageName: EVIL }));
  });

  it('a cancelled bake names the canceller as a mention, from the stored id', () => {
    const cancelled = bake({
      status: 'cancelled',
      error: { code: 'cancelled', message: 'Cancelled by <@UBOB>.' },
      cancelRequested: { by: 'UBOB', at: T0 },
    });
    const text = allText(bakeRootMessage(cancelled, T0, { sandbox: false }));
    expect(text).toContain('Cancelled by <@UBOB>.');
    expect(text).not.toContain('&lt;@UBOB&gt;');
    expect(allText(bakeListMessage([cancelled], T0))).toContain('cancelled by <@UBOB>');
  });

  it('an AMI test: tier label, Domino status, reason, stale executors; canceller as a mention', () => {
    const test = sampleTest({
      status: 'cancelled',
      tierLabel: EVIL,
      amiName: EVIL,
      lastStatus: EVIL,
      reason: `Domino job j-1 stopped. ${EVIL}`,
      cancelRequested: { by: 'UBOB', at: T0 },
      staleExecutors: [{ id: 'i-1', imageId: EVIL, state: 'running' }],
    });
    const text = expectInert(testMessage(test));
    expect(text).toContain('Cancelled by <@UBOB>.');
    expect(text).not.toContain('&lt;@UBOB&gt;');
    expect(testMessage(test).text).toContain(INERT);
  });

  it("a running AMI test's Cancel dialog: the tier's previous executorImage (Domino data) escaped", () => {
    const test = sampleTest({ status: 'running', previousAmi: EVIL });
    const confirm = JSON.stringify(testMessage(test).blocks?.find((b) => b.type === 'actions'));
    expect(confirm).toContain(`goes back to ${INERT}.`);
    expect(confirm).not.toContain('<!channel>');
  });

  it("a change: tier labels, Domino's executorImage values, skipped details, conflicts, errors", () => {
    const updates = tierUpdates(3, EVIL).map((t) => ({ ...t, label: EVIL }));
    const change = sampleChange({
      updates,
      skipped: [{ id: 's', label: EVIL, executorImage: EVIL, reason: 'special', detail: EVIL }],
      unchanged: [{ id: 'u', label: EVIL }],
      targetAmiName: EVIL,
    });
    expectInert(changeMessage(change, T0, { timeZone: 'UTC' }));
    for (const m of fullListMessages(change)) expectInert(m);
    const failed = {
      ...change,
      status: 'failed' as const,
      result: {
        status: 'failed' as const,
        at: T0,
        applied: [],
        conflicts: [{ id: 't', label: EVIL, expected: EVIL, found: EVIL }],
        verified: [],
        unverified: [EVIL],
        error: EVIL,
      },
    };
    expect(expectInert(changeMessage(failed, T0, { timeZone: 'UTC' }))).toContain(`*Apply failed*: ${INERT}`);
    const failedResult = applyResultMessage(failed);
    expectInert(failedResult);
    expect(failedResult.text).toContain(INERT); // the notification fallback too
    expectInert(applyResultMessage({ ...failed, status: 'applied', result: { ...failed.result, status: 'applied' } }));
    expectInert(userNoticeMessage(change, [EVIL], 'UTC'));
  });

  it('a change decided by someone shows the decider as a mention', () => {
    const change = sampleChange({ status: 'rejected', decision: { outcome: 'rejected', by: 'UBOB', at: T0 } });
    expect(allText(changeMessage(change, T0, { timeZone: 'UTC' }))).toContain('*Rejected* by <@UBOB>');
  });

  it('history: summaries escaped, our announcement channel still a channel mention', () => {
    const entry: AuditEntry = {
      _id: 'a',
      at: T0,
      actor: 'ami-bot',
      action: 'change.announced',
      deployment: 'acme',
      changeId: 'chg-20261128-abcd',
      summary: `posted in <#C0ANN>; DMed 2 user(s); :warning: tier users unavailable: ${EVIL}`,
      mentions: ['C0ANN'],
      before: { [EVIL]: EVIL },
    };
    const text = expectInert(historyMessage([entry, { ...entry, actor: 'UBOB', action: 'change.approved' }], 'UTC'));
    expect(text).toContain('posted in <#C0ANN>');
    expect(text).not.toContain('&lt;#C0ANN&gt;');
    expect(text).toContain('<@UBOB>');
  });

  it('a review: tier labels, environment names and images, notes from failed reads', () => {
    const report = sampleReport({
      tiers: [{ tierId: 't', label: EVIL, amiId: 'ami-1', amiName: EVIL, ageDays: 3, kind: 'standard', why: EVIL }],
      environments: [{ environment: EVIL, image: `quay.io/x:${EVIL}`, runs: 3, cached: false }],
    });
    expectInert(reviewMessage(sampleReview({ report, trigger: 'command', requestedBy: 'UBOB' })));
    const failedReads = sampleReport({
      tiers: undefined,
      tiersNote: EVIL,
      environments: undefined,
      environmentsNote: EVIL,
    });
    expectInert(reviewMessage(sampleReview({ report: failedReads })));
    // A permalink that could break out of the link markup is not used as a link.
    const reminder = reviewReminderMessage(sampleReview(), 1, 'https://x.example|approve here');
    expect(reminder.text).toContain('the report above');
  });
});

describe('help shown for an unknown word', () => {
  it('echoes the word inert', () => {
    expectInert(helpMessage(':thinking_face: `<!channel>` is not an ami-bot command; nothing was done.'));
  });
});
