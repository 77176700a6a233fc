import { AppError, userMessage } from '../../errors.js';
import { templatePatternFor } from '../../shared/deployment-scope.js';
import { capitalise } from '../../shared/format.js';
import type { BakeStep, StepContext, StepFn } from '../bake-context.js';
import { bakeNoun } from '../bake-record.js';
import { takeTemplateLock } from '../template-lock.js';
import { restoreTemplateState } from './restore-template.js';

/** Exactly one non-terminated instance whose Name tag matches the deployment's pattern. */
const run: StepFn = async (ctx) => {
  const pattern = templatePatternFor(ctx.deployment);
  const found = await ctx.deps.ec2.findInstancesByNamePattern(pattern);
  if (found.length === 0) {
    throw new AppError(
      'template_not_found',
      `No EC2 instance has a Name tag matching \`${pattern}\` in this account and region. Check the tag or set templateNamePattern for ${ctx.bake.deployment}.`,
    );
  }
  if (found.length > 1) {
    const list = found.map((i) => `${i.id} (${i.name || 'no name'}, ${i.state})`).join(', ');
    throw new AppError(
      'template_ambiguous',
      `${found.length} instances match \`${pattern}\`: ${list}. Make the pattern match exactly one ${bakeNoun(ctx.bake).template}.`,
    );
  }
  const template = found[0]!;
  if (template.blockDeviceNames.length === 0) {
    throw new AppError('template_no_volumes', `The template ${template.id} has no block devices to snapshot.`);
  }
  // Before anything touches it: another deployment's bake may have found the same instance.
  await takeTemplateLock(ctx.deps.store, template.id, ctx.bake._id, ctx.deps.clock.now());
  await ctx.save({
    facts: { instanceId: template.id, instanceName: template.name, deviceNames: template.blockDeviceNames },
  });
  return `${template.name || template.id} (${template.id}), ${template.state}, ${template.blockDeviceNames.length} volume(s)`;
};

/** Undo: the step that takes the template gives it back in the state it was found in. */
async function giveTemplateBack(ctx: StepContext): Promise<string[]> {
  try {
    return [`${capitalise(await restoreTemplateState(ctx))}.`];
  } catch (error) {
    const { instanceId, originalState } = ctx.bake.facts;
    return [
      `Could not return the template ${instanceId} to ${originalState} (${userMessage(error)}): check it in the EC2 console.`,
    ];
  }
}

export const findTemplate: BakeStep<'find-template'> = {
  name: 'find-template',
  title: 'Find the executor template',
  // The deployment's word for it: an EKS bake finds its node template.
  titleOf: (bake) => `Find the ${bakeNoun(bake).template}`,
  run,
  undo: giveTemplateBack,
};
