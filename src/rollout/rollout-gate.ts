import type { BakeRecord } from '../bake/bake-record.js';
import { BAKE_ID_TAG, CREATED_BY_TAG, CREATED_BY_VALUE, DEPLOYMENT_TAG } from '../bake/image-tags.js';
import type { ImageInfo } from '../ports/ec2.js';
import { capitalise } from '../shared/format.js';
import { code, type Text, text, words } from '../shared/text.js';
import type { AmiTestRecord } from './ami-test-record.js';

/**
 * The rollout gate (pure): what must be true of an AMI before a plan may move tiers to it, and — its first half —
 * before a test may point the test tier at it. Each check returns the refusal people read (what is wrong and what
 * to do next), or undefined when the AMI passes.
 */

/** Longest `--override-test` reason (the Approve confirm dialog, 300 chars in all, shows as much as fits). */
export const MAX_OVERRIDE_REASON = 300;

/** What the plan records about the gate: the test that let it through, or the admin's override. */
export interface ChangeGate {
  test?: {
    id: string;
    pullingSeconds?: number;
    toRunningSeconds?: number;
    /** The executor proven to have run the test job (booted from the AMI after the test started). */
    executorId: string;
  };
  override?: { by: string; reason: string };
}

export interface ProvenanceFacts {
  deployment: string;
  amiId: string;
  /** DescribeImages by id (any owner). */
  image: ImageInfo;
  /** The same image among this account's own (describeOwnImages); absent = public or shared. */
  ownImage?: ImageInfo;
  /** The bake record named by the image's bake-id tag (absent: no tag, or no such record). */
  bake?: BakeRecord;
  /** The bake the command named (`/ami plan <bake-id>`), which must be the one the tags name. */
  namedBakeId?: string;
}

const BAKE_FIRST = 'Bake one with `/ami bake` and use its bake id; nothing was done.';

/** Owned by this account, tagged by ami-bot for this deployment, and from a succeeded bake that recorded it. */
export function provenanceRefusal(facts: ProvenanceFacts): Text | undefined {
  const { amiId, deployment, image } = facts;
  const name = image.name ? text` (${code(image.name.slice(0, 80))})` : words('');
  if (!facts.ownImage) {
    const owner = image.ownerId ? text` (${image.ownerId})` : words('');
    return text`AMI ${amiId}${name} belongs to another AWS account${owner}: a public or shared AMI is never tested or rolled out. ${words(BAKE_FIRST)}`;
  }
  const tags = facts.ownImage.tags;
  const bakeId = tags[BAKE_ID_TAG];
  if (tags[CREATED_BY_TAG] !== CREATED_BY_VALUE || !bakeId) {
    return text`AMI ${amiId}${name} was not made by ami-bot (no ${code(BAKE_ID_TAG)} tag): only an AMI from a succeeded bake of ${deployment} can be tested or rolled out. ${words(BAKE_FIRST)}`;
  }
  const shownBake = code(bakeId.slice(0, 40));
  if (tags[DEPLOYMENT_TAG] !== deployment) {
    const other = tags[DEPLOYMENT_TAG]
      ? text`deployment ${code(tags[DEPLOYMENT_TAG].slice(0, 40))}`
      : words('no deployment');
    return text`AMI ${amiId} was baked for ${other} (tag ${code(DEPLOYMENT_TAG)}), not ${deployment}: name a bake of ${deployment}; nothing was done.`;
  }
  if (facts.namedBakeId && facts.namedBakeId !== bakeId) {
    return text`AMI ${amiId} is tagged as made by bake ${shownBake}, not ${facts.namedBakeId}: the tags and the bake record disagree; nothing was done.`;
  }
  const bake = facts.bake;
  if (!bake) {
    return text`AMI ${amiId} names bake ${shownBake}, of which ami-bot has no record: its origin cannot be checked. ${words(BAKE_FIRST)}`;
  }
  if (bake.status !== 'succeeded') {
    return text`Bake ${bake._id} of AMI ${amiId} is ${bake.status}, not succeeded: only the AMI of a succeeded bake can be tested or rolled out; nothing was done.`;
  }
  if (bake.deployment !== deployment) {
    return text`Bake ${bake._id} of AMI ${amiId} was a bake of ${bake.deployment}, not ${deployment}; nothing was done.`;
  }
  if (bake.facts.imageId !== amiId) {
    return text`Bake ${bake._id} recorded AMI ${bake.facts.imageId ?? 'none'}, not ${amiId}: the AMI's tags and the bake record disagree; nothing was done.`;
  }
  return undefined;
}

/** A test counts for the gate only when it passed AND named the executor, booted from the AMI, that ran the job. */
export function isProvenPass(test: Pick<AmiTestRecord, 'status' | 'executor'>): boolean {
  return test.status === 'passed' && test.executor !== undefined;
}

/**
 * The newest conclusive test of the AMI (passed, failed or unproven) must be a proven pass. `testCommand` is what
 * to run next (`/ami test <bake-id>`), `overrideHint` how an admin may go on without one.
 */
export function testRefusal(
  test: AmiTestRecord | undefined,
  amiId: string,
  next: {
    testCommand: string;
    overrideHint: string;
    /** The deployment has no test target configured: its name, what the target is called and the setting. */
    noTestTarget?: { deployment: string; noun: string; setting: string };
    /** What the test job runs on, as the deployment's kind calls it (`executor`, `node`); default `executor`. */
    machine?: string;
  },
): Text | undefined {
  // Without a test target `/ami test` cannot run: say what to configure instead of sending the admin there.
  const missing = next.noTestTarget;
  const testStep = missing
    ? `no ${missing.noun} is configured for ${missing.deployment} (${missing.setting}), so \`${next.testCommand}\` cannot run: configure one and test it first`
    : `run \`${next.testCommand}\` first`;
  // Our words: the command to run is ours, the deployment a configured name.
  const whatText = `${testStep} (or, to go on without a passed test, ${next.overrideHint}). Nothing was planned.`;
  const what = words(whatText);
  const machine = words(next.machine ?? 'executor');
  if (!test) return text`AMI ${amiId} has not been tested: ${what}`;
  if (isProvenPass(test)) return undefined;
  // The reason is a sentence of its own (it ends in a full stop): dropped here, the next sentence adds one.
  const reason = test.reason ? text`: ${test.reason.slice(0, 300).replace(/\.+$/, '')}` : words('');
  if (test.status === 'failed')
    return text`The latest test of AMI ${amiId} (${test._id}) failed${reason}. Fix the bake and ${what}`;
  if (test.status === 'unproven') {
    return text`The latest test of AMI ${amiId} (${test._id}) could not prove which ${machine} ran its job${reason}. ${words(capitalise(whatText))}`;
  }
  return text`The latest test of AMI ${amiId} (${test._id}) passed before ami-bot checked which ${machine} ran the job, so it proves nothing: ${what}`;
}

/** `--override-test "reason"`: required non-empty, short enough for the confirm dialog. Returns the refusal. */
export function overrideReasonRefusal(reason: string): string | undefined {
  const trimmed = reason.trim();
  if (trimmed === '')
    return '`--override-test` needs a reason, e.g. `--override-test "hotfix for CVE-2026-1234, tested by hand"`.';
  if (trimmed.length > MAX_OVERRIDE_REASON) {
    return `The \`--override-test\` reason is ${trimmed.length} characters; keep it to ${MAX_OVERRIDE_REASON} (it is shown in the approval's confirm dialog).`;
  }
  return undefined;
}

export interface StandardAmi {
  image: ImageInfo;
  /** Labels of the standard tiers on it now. */
  tiers: string[];
}

/**
 * A rollout never moves a standard tier back to an older AMI (a revert is the way back, and it is not planned
 * here). Compared by EC2 CreationDate; an image without one (EC2 always gives one) is not compared.
 */
export function olderRefusal(target: ImageInfo, standard: readonly StandardAmi[]): Text | undefined {
  const created = target.creationDate?.getTime();
  if (created === undefined) return undefined;
  const newer = standard
    .filter((s) => s.image.id !== target.id && (s.image.creationDate?.getTime() ?? Number.NEGATIVE_INFINITY) > created)
    .sort((a, b) => (b.image.creationDate?.getTime() ?? 0) - (a.image.creationDate?.getTime() ?? 0));
  const newest = newer[0];
  if (!newest?.image.creationDate) return undefined;
  const labels = newer.flatMap((s) => s.tiers);
  const shown =
    labels.length > 5 ? `${labels.slice(0, 5).join(', ')} and ${labels.length - 5} more` : labels.join(', ');
  // Two AMIs of the same day (a rebake) would read "created 2026-12-02 is older than … created 2026-12-02".
  const isSameDay = day(target.creationDate) === day(newest.image.creationDate);
  const when = (date: Date | undefined) =>
    isSameDay && date ? `${date.toISOString().slice(0, 16).replace('T', ' ')} UTC` : day(date);
  return text`AMI ${target.id} (created ${when(target.creationDate)}) is older than ${newest.image.id} (created ${when(newest.image.creationDate)}), which standard tiers run now (${shown}): a rollout never moves tiers back. To go back, ${code('/ami revert <change-id>')} the change that moved them (${code('/ami history')} lists changes); nothing was planned.`;
}

const day = (date: Date | undefined) => (date ? date.toISOString().slice(0, 10) : '?');
