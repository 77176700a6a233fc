import { tail } from '../../shared/format.js';
import { redactSecretText } from '../../shared/redact.js';
import { type BakeStep, type StepFn, skipped } from '../bake-context.js';
import { resolveRuntime } from '../container-runtime.js';
import { cancelOwnCommands, runCommandOnce } from '../run-command.js';
import { parsePruneOutput, pruneScript } from '../ssm-scripts.js';
import { runtimeSuffix } from '../template-runtime.js';

/**
 * `docker image prune --force` before the pulls: the untagged layers an earlier tag left behind take disk the
 * pulls need and would be snapshotted into the AMI for nothing. Only dangling images go (never a tagged one), so
 * the step is safe to repeat; a prune that fails only frees no disk, and the bake goes on and says so.
 * containerd has no dangling images to prune: its garbage collector deletes content no image references.
 */
const run: StepFn = async (ctx) => {
  const runtime = await resolveRuntime(ctx);
  if (runtime !== 'docker') return skipped('containerd deletes layers no image references by itself');
  const invocation = await runCommandOnce(ctx, { key: 'prune', commands: pruneScript, timeoutSeconds: 600 });
  if (invocation.status !== 'Success') {
    const said = tail(redactSecretText(invocation.stderr || invocation.stdout), 200).trim();
    ctx.log.warn({ status: invocation.status }, 'docker image prune failed; the bake goes on');
    return `nothing pruned (${invocation.status}${said ? `: ${said}` : ''}); the pulls go on`;
  }
  const pruned = parsePruneOutput(invocation.stdout);
  if (pruned.deleted === 0) return 'no dangling images to remove';
  return `${pruned.deleted} dangling image layer(s) removed, ${pruned.reclaimed} reclaimed`;
};

export const prune: BakeStep<'prune'> = {
  name: 'prune',
  title: 'Prune dangling images',
  titleOf: (bake) => `Prune dangling images${runtimeSuffix(bake)}`,
  run,
  undo: (ctx) => cancelOwnCommands(ctx, 'prune'),
};
