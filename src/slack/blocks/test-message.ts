import type { Block } from '../../ports/chat.js';
import type { AmiTestRecord } from '../../rollout/ami-test-record.js';
import { formatDuration, truncate } from '../../shared/format.js';
import { ACTION_IDS } from '../action-ids.js';
import {
  cancelButtonBlock,
  codeText,
  contextBlock,
  escapeCut,
  escapeMrkdwn,
  mrkdwnSection,
  userMention,
} from './block-text.js';

const STATUS: Record<AmiTestRecord['status'], string> = {
  running: ':hourglass_flowing_sand: running',
  passed: ':white_check_mark: passed',
  failed: ':x: failed',
  unproven: ':grey_question: *unproven* (does not count as passed)',
  cancelled: ':octagonal_sign: cancelled',
  error: ':x: error',
};

/** The states the seed cares about come first; any other state Domino reported follows. */
const MAIN_STATES = ['Queued', 'Pulling', 'Preparing', 'Running'];

const secs = (seconds: number | undefined) => (seconds === undefined ? '—' : formatDuration(seconds * 1000));

export function timingLine(test: Pick<AmiTestRecord, 'seconds' | 'statesSeen' | 'toRunningSeconds'>): string {
  const others = test.statesSeen.filter((s) => !MAIN_STATES.includes(s) && test.seconds[s] !== undefined);
  const parts = [...MAIN_STATES, ...others].map((state) => `${state} ${secs(test.seconds[state])}`);
  return `${parts.join(' · ')}\n*Start to Running*: ${secs(test.toRunningSeconds)}`;
}

/** The test's message in the bake's thread: live while it runs, the verdict when it ends (pure). */
/**
 * What the test pointed at the AMI, as its admin calls it: a Domino 3.x test tier and its executors, or an EKS test
 * node group and its nodes (the job then ran on the hardware tier of its pool: `hardwareTierId` is set).
 */
function testWords(test: AmiTestRecord): { target: string; title: string; aMachine: string; machine: string } {
  return test.hardwareTierId === undefined
    ? { target: 'test tier', title: 'Test tier', aMachine: 'an executor', machine: 'executor' }
    : { target: 'test node group', title: 'Test node group', aMachine: 'a node', machine: 'node' };
}

export function testMessage(test: AmiTestRecord, previous?: AmiTestRecord): { text: string; blocks: Block[] } {
  const words = testWords(test);
  const text = `AMI test ${test._id} of ${escapeMrkdwn(test.amiId)} on ${escapeMrkdwn(test.tierLabel)}: ${test.status}`;
  const blocks: Block[] = [
    { type: 'header', text: { type: 'plain_text', text: truncate(`AMI test ${test._id} · ${test.deployment}`, 150) } },
    {
      type: 'section',
      fields: [
        {
          type: 'mrkdwn',
          text: `*AMI*\n${escapeMrkdwn(test.amiId)}${test.amiName ? `\n${codeText(test.amiName)}` : ''}`,
        },
        {
          type: 'mrkdwn',
          text: `*${words.title}*\n${escapeMrkdwn(test.tierLabel)} ${codeText(test.tierId)}`,
        },
        {
          type: 'mrkdwn',
          text: `*Status*\n${STATUS[test.status]}${test.lastStatus ? ` (Domino: ${escapeMrkdwn(test.lastStatus)})` : ''}`,
        },
        { type: 'mrkdwn', text: `*Domino job*\n${escapeMrkdwn(test.jobId ?? '—')}` },
      ],
    },
    mrkdwnSection(`*Time per state*\n${timingLine(test)}`),
  ];
  const notes: string[] = [
    `Pass: the job reaches Running with Pulling ≤ ${test.pullPassSeconds} s, on ${words.aMachine} booted from the AMI for this test.`,
  ];
  if (previous) {
    notes.push(
      // Not "Previous AMI": the test tier goes back to `previousAmi`, which is usually another AMI than this one.
      `For comparison, the last test of another AMI, ${escapeMrkdwn(previous.amiId)} (${previous._id}, ${previous.status}): Pulling ${secs(previous.seconds.Pulling)}, start to Running ${secs(previous.toRunningSeconds)}.`,
    );
  }
  // The reason quotes Domino and AWS (escaped); who cancelled is a mention rendered from the stored id.
  const cancelledBy =
    test.status === 'cancelled' && test.cancelRequested ? `Cancelled by ${userMention(test.cancelRequested.by)}. ` : '';
  if (test.reason || cancelledBy)
    blocks.push(
      mrkdwnSection(
        `${test.status === 'passed' ? ':information_source:' : test.status === 'cancelled' ? ':octagonal_sign:' : test.status === 'unproven' ? ':grey_question:' : ':x:'} ${cancelledBy}${escapeCut(test.reason ?? '', 1_000)}`,
      ),
    );
  if (test.executor) {
    notes.push(
      `Ran on ${test.executor.instanceId}, booted from ${test.executor.imageId} at ${test.executor.launchTime.toISOString()} (after the test began).`,
    );
  }
  if (test.restore) {
    notes.push(`${words.title} ${escapeMrkdwn(truncate(test.restore.detail ?? test.restore.outcome, 300))}.`);
  } else if (test.status === 'running') {
    notes.push(
      test.keep
        ? `The ${words.target} stays on ${test.amiId} after the test (--keep).`
        : test.previousAmi === test.amiId
          ? `The ${words.target} already runs ${test.amiId}: the test does not change it.`
          : `The ${words.target} goes back to ${escapeMrkdwn(test.previousAmi)} when the test ends.`,
    );
  }
  if (test.staleExecutors.length > 0) {
    const list = test.staleExecutors
      .slice(0, 10)
      .map((i) => escapeMrkdwn(`${i.id} (${i.imageId}, ${i.state})`))
      .join(', ');
    blocks.push(
      mrkdwnSection(
        `:warning: *This test may not prove anything*: ${test.staleExecutors.length} ${words.machine}(s) of the ${words.target} are up on another AMI (${list}); Domino may run the job there instead of booting one from ${escapeMrkdwn(test.amiId)}. Terminate them (or wait for Domino to) and test again.`,
      ),
    );
  }
  if (test.cancelRequested && test.status === 'running')
    notes.push(`Cancel requested by ${userMention(test.cancelRequested.by)}.`);
  blocks.push(contextBlock(...notes));
  if (test.status === 'running' && !test.cancelRequested) {
    blocks.push(
      cancelButtonBlock({
        blockId: `test:${test._id}`,
        actionId: ACTION_IDS.cancelTest,
        value: test._id,
        label: 'Cancel test',
        title: 'Cancel this AMI test?',
        body: test.keep
          ? `The Domino job is stopped. The ${words.target} stays on the new AMI (--keep).`
          : `The Domino job is stopped and the ${words.target} goes back to ${escapeMrkdwn(test.previousAmi)}.`,
        deny: 'Keep testing',
      }),
    );
  }
  return { text, blocks };
}
