import { describe, expect, it } from 'vitest';
import { AppError, userMessage, userText } from '../../src/errors.js';
import {
  channel,
  code,
  group,
  icon,
  joinText,
  link,
  plainText,
  text,
  user,
  when,
  words,
} from '../../src/shared/text.js';
import { escapeExceptMentions } from '../../src/slack/blocks/block-text.js';
import { renderMrkdwn, renderMrkdwnCut } from '../../src/slack/blocks/render-text.js';

describe('Text: features say what a value is, slack/ renders it', () => {
  it("keeps the bot's words and escapes every interpolated string", () => {
    const hostile = '<!channel> & <https://evil.example|click>';
    const rendered = renderMrkdwn(text`*Bake* failed: ${hostile}`);
    expect(rendered).toBe('*Bake* failed: &lt;!channel&gt; &amp; &lt;https://evil.example|click&gt;');
  });

  it('renders code, users, groups, times, links and icons, and none of them from outside text', () => {
    const at = new Date('2026-12-01T02:00:00Z');
    const rendered = renderMrkdwn(
      text`${icon('warning')} ${code('a`b<c')} by ${user('U0ADMIN')} and ${user('<!here>')}, ${group('S0OPS')} at ${when(at, 'UTC')}: ${link('https://x.slack.com/archives/C1/p1', 'bake-1')} ${link('javascript:alert(1)', 'no')}`,
    );
    expect(rendered).toBe(
      ":warning: `a'b&lt;c` by <@U0ADMIN> and &lt;!here&gt;, <!subteam^S0OPS> at 2026-12-01 02:00 UTC: <https://x.slack.com/archives/C1/p1|bake-1> no",
    );
  });

  it('joins and nests texts without escaping the nested words twice', () => {
    const list = joinText([text`• ${code('ami-1')}`, text`• ${'a&b'}`], words('\n'));
    expect(renderMrkdwn(text`Two:\n${list}`)).toBe('Two:\n• `ami-1`\n• a&amp;b');
  });

  it('has a plain form for logs and records: no markup, no icons, values as they are', () => {
    const t = text`${icon('failed')} Could not pull ${code('img:1')} for ${user('U1')}: ${'<&>'}`;
    expect(plainText(t)).toBe('Could not pull `img:1` for U1: <&>');
  });

  it('an AppError carries both: the plain message for logs, the Text for the chat', () => {
    const error = new AppError('x', text`${code('<x>')} is not a bake id`);
    expect(error.message).toBe('`<x>` is not a bake id');
    expect(userMessage(error)).toBe('`<x>` is not a bake id');
    expect(renderMrkdwn(userText(error))).toBe('`&lt;x&gt;` is not a bake id');
    // A plain-string message may quote outside text: escaped when shown.
    expect(renderMrkdwn(userText(new AppError('y', 'EC2 said <!channel>')))).toBe('EC2 said &lt;!channel&gt;');
    expect(renderMrkdwn(userText(new Error('boom')))).toContain('Something unexpected went wrong');
  });

  it("a channel's plain form in a stored summary is shown as that channel again, and only that one", () => {
    const summary = plainText(text`posted in ${channel('C0ANN')}; ${'#C0EVIL <#C0EVIL>'}`);
    expect(summary).toBe('posted in #C0ANN; #C0EVIL <#C0EVIL>');
    expect(escapeExceptMentions(summary, ['C0ANN'])).toBe('posted in <#C0ANN>; #C0EVIL &lt;#C0EVIL&gt;');
  });

  it('cuts a long answer without leaving half an entity or half a mention', () => {
    const long = text`${'x'.repeat(3_890)}${'&'} ${user('U0ADMIN')}`;
    const cut = renderMrkdwnCut(long, 3_900);
    expect(cut.length).toBeLessThanOrEqual(3_900);
    expect(cut.endsWith('…')).toBe(true);
    expect(cut).not.toMatch(/&[a-z]{0,4}…$|<[^>]*…$/);
    expect(renderMrkdwnCut(text`short`, 3_900)).toBe('short');
  });
});
