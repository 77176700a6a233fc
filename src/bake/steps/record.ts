import { ACTION_IDS } from '../../slack/action-ids.js';
import { codeText, escapeMrkdwn } from '../../slack/blocks/block-text.js';
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
  const text = `:tada: New AMI *${escapeMrkdwn(imageId ?? '')}* — ${codeText(imageName ?? '')} is available.`;
  await ctx.progress.thread(text, [
    { type: 'section', text: { type: 'mrkdwn', text } },
    { type: 'actions', block_id: `bake-next:${ctx.bake._id}`, elements: buttons },
  ]);
  return `${imageId} (${imageName})`;
};
