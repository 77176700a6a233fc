import type { Block } from '../ports/chat.js';
import type { DemoProcess, DemoStage } from './demo-stage.js';

/** A scripted person in the ops channel: types `/ami …` and presses buttons, like a Slack client. */
export interface Actor {
  id: string;
  name: string;
  command(text: string): Promise<void>;
  /** Presses the newest button with this action id (optionally with this value); returns its value. */
  press(actionId: string, value?: string): Promise<string>;
  /** The first ephemeral answer this actor got after `since` answers that matches `pattern`. */
  answer(since: number, pattern: RegExp): Promise<string>;
}

function findButton(stage: DemoStage, actionId: string, value?: string) {
  for (const message of [...stage.sim.chat.messages].reverse()) {
    for (const block of (message.blocks ?? []) as Block[]) {
      if (block.type !== 'actions') continue;
      const elements = block.elements as unknown as Array<Record<string, unknown>>;
      const button = elements.find(
        (element) => element.action_id === actionId && (value === undefined || element.value === value),
      );
      if (button) return { message, value: String(button.value ?? '') };
    }
  }
  return undefined;
}

export function createActor(stage: DemoStage, getProcess: () => DemoProcess, id: string, name: string): Actor {
  const channel = stage.config.opsChannels[0]!;
  return {
    id,
    name,
    async command(text) {
      await getProcess().slack.slash({
        text,
        userId: id,
        channelId: channel,
        responseUrl: stage.sink.urlFor(id, channel),
      });
    },
    async press(actionId, value) {
      const found = await stage.waitUntil(() => findButton(stage, actionId, value), 60_000);
      await getProcess().slack.click({
        actionId,
        value: found.value,
        userId: id,
        channelId: found.message.channel,
        messageTs: found.message.ts,
        responseUrl: stage.sink.urlFor(id, found.message.channel),
      });
      return found.value;
    },
    answer: (since, pattern) =>
      stage.waitUntil(
        () => stage.sink.answers.slice(since).find((answer) => answer.user === id && pattern.test(answer.text))?.text,
        30_000,
      ),
  };
}
