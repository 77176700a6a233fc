/** Names the console shows instead of Slack ids. */
export interface Directory {
  userName(id: string): string | undefined;
  channelName(id: string): string | undefined;
}

/**
 * Slack mrkdwn as a terminal shows it: mentions, channel links, user groups, special mentions, dates and
 * links become readable text; *bold*, _italic_ and `code` stay as typed, because they read fine as they are.
 */
export function mrkdwnToText(text: string, directory: Directory): string {
  return text
    .replace(/<([^<>]+)>/g, (_match, inner: string) => {
      const [target = '', label] = splitLabel(inner);
      if (target.startsWith('@')) return `@${label ?? directory.userName(target.slice(1)) ?? target.slice(1)}`;
      if (target.startsWith('#')) return `#${label ?? directory.channelName(target.slice(1)) ?? target.slice(1)}`;
      if (target.startsWith('!subteam^')) return label ?? `@${target.slice('!subteam^'.length)}`;
      if (target.startsWith('!date^')) return label ?? target;
      if (target.startsWith('!')) return `@${target.slice(1)}`;
      return label === undefined ? target : `${label} (${target})`;
    })
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}

function splitLabel(inner: string): [string, string | undefined] {
  const bar = inner.indexOf('|');
  return bar < 0 ? [inner, undefined] : [inner.slice(0, bar), inner.slice(bar + 1)];
}
