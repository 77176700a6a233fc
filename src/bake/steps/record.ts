import { ACTION_IDS } from '../../slack/action-ids.js';
import type { StepFn } from '../bake-context.js';

/** The AMI id and name on the bake and in the thread, with the next steps as buttons. */
export const record: StepFn = async (ctx) => {
  const { imageId, imageName } = ctx.bake.facts;
  const testTier = ctx.deployment.testTier;
  const buttons = [
    {
      type: 'button',
      action_id: ACTION_IDS.testAmi,
      text: { type: 'plain_text', text: testTier ? `Test on ${testTier}` : 'Test' },
      value: ctx.bake._id,
    },
    {
      type: 'button',
      action_id: ACTION_IDS.planRollout,
      text: { type: 'plain_text', text: 'Plan rollout' },
      value: ctx.bake._id,
    },
  ];
  const text = `:tada: New AMI *${imageId}* — \`${imageName}\` is available.`;
  const ts = await ctx.progress.thread(text, [
    { type: 'section', text: { type: 'mrkdwn', text } },
    { type: 'actions', block_id: `bake-next:${ctx.bake._id}`, elements: buttons },
  ]);
  // The buttons' own message: a click on Test / Plan rollout must come from it (bake-record.ts isFromOwnMessage).
  if (ts) await ctx.save({ 'facts.nextStepsTs': ts });
  return `${imageId} (${imageName})`;
};
