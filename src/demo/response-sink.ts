import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Block, ChatPort } from '../ports/chat.js';

export interface ResponseSink {
  /** A response_url that shows what the bot answers there as an ephemeral for `user` in `channel`. */
  urlFor(user: string, channel: string): string;
  /** Every ephemeral answer received, newest last. */
  answers: Array<{ user: string; text: string }>;
  close(): Promise<void>;
}

/**
 * Plays Slack's response_url endpoint: the bot's ephemeral answers to commands and buttons are
 * printed by the console Slack as "only visible to @user".
 */
export async function startResponseSink(chat: ChatPort): Promise<ResponseSink> {
  const targets = new Map<string, { user: string; channel: string }>();
  const answers: ResponseSink['answers'] = [];
  let next = 0;
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => (body += chunk));
    req.on('end', () => {
      const target = targets.get(req.url ?? '');
      try {
        // What the bot sent to response_url: its own blocks, as JSON.
        const message = JSON.parse(body) as { text?: string; blocks?: Block[] };
        if (target && message.text) {
          answers.push({ user: target.user, text: message.text });
          void chat.postEphemeral({
            channel: target.channel,
            user: target.user,
            text: message.text,
            ...(message.blocks ? { blocks: message.blocks } : {}),
          });
        }
      } catch {
        // Not JSON: nothing to show.
      }
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"ok":true}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    urlFor(user, channel) {
      const path = `/response/${++next}`;
      targets.set(path, { user, channel });
      return `http://127.0.0.1:${port}${path}`;
    },
    answers,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
