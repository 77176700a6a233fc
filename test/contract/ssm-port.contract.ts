import { beforeEach, describe, expect, it } from 'vitest';
import { normalizeImageReference } from '../../src/bake/image-reference.js';
import { inventoryScript, parseDockerImages } from '../../src/bake/ssm-scripts.js';
import { AppError } from '../../src/errors.js';
import type { CommandInvocation, SendShellCommandInput, SsmPort } from '../../src/ports/ssm.js';

export interface SsmSeed {
  /** A running instance whose agent is online. */
  instanceId: string;
  /** Image references cached on it (what `docker images` lists). */
  cachedImages: string[];
  /** An instance SSM knows whose agent is not online (stopped). */
  offlineInstanceId: string;
}

export interface SsmUnderTest {
  ssm: SsmPort;
  seed: SsmSeed;
  /** Lets a few seconds pass (the simulator moves its clock; the scripted SSM moves its commands on a step). */
  advance(): Promise<void>;
}

/** Scripts the contract runs beside the bake's own inventory, so a scripted host can recognise them. */
export const CONTRACT_SCRIPTS = {
  failing: ['echo to-stdout', 'echo oops >&2', 'exit 3'],
  bigOutput: [`echo ${'x'.repeat(30_000)}`, `echo ${'e'.repeat(9_000)} >&2`],
  /** 24,000 chars with the newline: exactly what SSM keeps, so nobody can tell whether more was cut. */
  fullOutput: [`echo ${'x'.repeat(23_999)}`],
  hang: ['sleep 3600'],
  quick: ['true'],
} as const;

const UNKNOWN_INSTANCE = 'i-0123456789abcdef0';
const FINISHED = ['Success', 'Failed', 'Cancelled', 'TimedOut', 'Undeliverable', 'Terminated'];

/** One behaviour for SsmPort: the real adapter (on a scripted SSM) and the simulator. */
export function ssmPortContract(name: string, setup: () => Promise<SsmUnderTest>) {
  describe(`SsmPort contract: ${name}`, () => {
    let t: SsmUnderTest;
    beforeEach(async () => {
      t = await setup();
    });

    const send = (commands: readonly string[], comment = 'ami-bot contract') =>
      t.ssm.sendShellCommand({
        instanceId: t.seed.instanceId,
        commands: [...commands],
        comment,
        executionTimeoutSeconds: 7200,
      } satisfies SendShellCommandInput);

    /** Polls like the bake does, advancing time between reads; returns every status seen and the last read. */
    async function untilFinished(commandId: string, rounds = 100) {
      const seen: string[] = [];
      let invocation: CommandInvocation | undefined;
      for (let i = 0; i <= rounds; i++) {
        invocation = await t.ssm.getInvocation(commandId, t.seed.instanceId);
        if (seen.at(-1) !== invocation.status) seen.push(invocation.status);
        expect(invocation.isFinished).toBe(FINISHED.includes(invocation.status));
        if (invocation.isFinished) break;
        await t.advance();
      }
      return { seen, invocation: invocation! };
    }

    it('isAgentOnline: true for the running instance, false for a stopped or unknown one', async () => {
      expect(await t.ssm.isAgentOnline(t.seed.instanceId)).toBe(true);
      expect(await t.ssm.isAgentOnline(t.seed.offlineInstanceId)).toBe(false);
      expect(await t.ssm.isAgentOnline(UNKNOWN_INSTANCE)).toBe(false);
    });

    it('sendShellCommand returns an id; getInvocation right after it is Pending, not an error', async () => {
      const id = await send(inventoryScript());
      expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
      expect(await t.ssm.getInvocation(id, t.seed.instanceId)).toEqual({
        commandId: id,
        status: 'Pending',
        isFinished: false,
        stdout: '',
        stderr: '',
        stdoutTruncated: false,
        stderrTruncated: false,
      });
      // SSM answers InvocationDoesNotExist until the agent has the command: for any id, that means "not yet".
      expect(await t.ssm.getInvocation('00000000-0000-4000-8000-000000000000', t.seed.instanceId)).toMatchObject({
        status: 'Pending',
        isFinished: false,
      });
    });

    it('runs the inventory to Success with `docker images` output the bake can parse', async () => {
      const { seen, invocation } = await untilFinished(await send(inventoryScript()));
      expect(seen[0]).toBe('Pending');
      expect(seen.slice(1, -1).every((s) => s === 'InProgress')).toBe(true);
      expect(invocation).toMatchObject({ status: 'Success', isFinished: true, exitCode: 0, stdoutTruncated: false });
      expect(parseDockerImages(invocation.stdout)).toEqual(
        expect.arrayContaining(t.seed.cachedImages.map((ref) => normalizeImageReference(ref))),
      );
      expect(invocation.startedAt).toBeInstanceOf(Date);
      expect(invocation.endedAt!.getTime()).toBeGreaterThanOrEqual(invocation.startedAt!.getTime());
    });

    it('a script that exits non-zero is Failed with its exit code, stdout and stderr', async () => {
      const { invocation } = await untilFinished(await send(CONTRACT_SCRIPTS.failing));
      expect(invocation).toMatchObject({ status: 'Failed', exitCode: 3, stdout: 'to-stdout\n', stderr: 'oops\n' });
    });

    it('keeps the first 24,000 chars of stdout and 8,000 of stderr, and says they were cut', async () => {
      const { invocation } = await untilFinished(await send(CONTRACT_SCRIPTS.bigOutput));
      expect(invocation).toMatchObject({ status: 'Success', stdoutTruncated: true, stderrTruncated: true });
      expect(invocation.stdout).toBe('x'.repeat(24_000));
      expect(invocation.stderr).toBe('e'.repeat(8_000));
    });

    it('flags output of exactly 24,000 chars as possibly cut: that is all SSM returns either way', async () => {
      const { invocation } = await untilFinished(await send(CONTRACT_SCRIPTS.fullOutput));
      expect(invocation).toMatchObject({ status: 'Success', stdoutTruncated: true, stderrTruncated: false });
      expect(invocation.stdout).toBe(`${'x'.repeat(23_999)}\n`);
    });

    it('findCommandByComment: the newest command with exactly this comment (its first 100 chars)', async () => {
      const comment = 'ami-bot bake-contract-1 inventory';
      const long = `ami-bot bake-contract-1 pull ${'y'.repeat(150)}`;
      await send(CONTRACT_SCRIPTS.quick, comment);
      await t.advance();
      const newest = await send(CONTRACT_SCRIPTS.quick, comment);
      await t.advance();
      await send(CONTRACT_SCRIPTS.quick, `${comment}-2`);
      const longId = await send(CONTRACT_SCRIPTS.quick, long);
      expect(await t.ssm.findCommandByComment(t.seed.instanceId, comment)).toBe(newest);
      expect(await t.ssm.findCommandByComment(t.seed.instanceId, long)).toBe(longId);
      expect(await t.ssm.findCommandByComment(t.seed.instanceId, 'ami-bot bake-contract-1')).toBeUndefined();
      expect(await t.ssm.findCommandByComment(t.seed.offlineInstanceId, comment)).toBeUndefined();
    });

    it('cancelCommand ends a running command as Cancelled; cancelling a finished one is not an error', async () => {
      const hung = await send(CONTRACT_SCRIPTS.hang);
      await t.advance();
      await t.advance();
      expect((await t.ssm.getInvocation(hung, t.seed.instanceId)).status).toBe('InProgress');
      await t.ssm.cancelCommand(hung, t.seed.instanceId);
      const { invocation } = await untilFinished(hung);
      expect(invocation).toMatchObject({ status: 'Cancelled', isFinished: true });
      await expect(t.ssm.cancelCommand(hung, t.seed.instanceId)).resolves.toBeUndefined();
      const done = await send(CONTRACT_SCRIPTS.quick);
      expect((await untilFinished(done)).invocation.status).toBe('Success');
      await expect(t.ssm.cancelCommand(done, t.seed.instanceId)).resolves.toBeUndefined();
    });

    it('sending to an instance whose agent is offline is an AWS error: aws_InvalidInstanceId', async () => {
      const error = await t.ssm
        .sendShellCommand({
          instanceId: t.seed.offlineInstanceId,
          commands: [...CONTRACT_SCRIPTS.quick],
          comment: 'ami-bot contract',
          executionTimeoutSeconds: 60,
        })
        .then(
          () => expect.fail('expected SendCommand to be rejected'),
          (e: unknown) => e,
        );
      expect(error).toBeInstanceOf(AppError);
      expect(error).toMatchObject({ code: 'aws_InvalidInstanceId' });
      expect((error as AppError).message).toContain(`run a shell command on ${t.seed.offlineInstanceId}`);
    });
  });
}
