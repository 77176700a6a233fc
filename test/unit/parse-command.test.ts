import { describe, expect, it } from 'vitest';
import { parseCommand } from '../../src/slack/commands/command-table.js';
import { tokenize, tokenizeWords } from '../../src/slack/tokenize.js';

describe('tokenize', () => {
  it('honours straight and smart quotes', () => {
    expect(tokenize('bake --note "monthly refresh" acme')).toEqual(['bake', '--note', 'monthly refresh', 'acme']);
    expect(tokenize('bake --note \u201Cquarterly bake\u201D')).toEqual(['bake', '--note', 'quarterly bake']);
    expect(tokenize('  a   \'b c\'  "" ')).toEqual(['a', 'b c', '']);
  });
});

describe('parseCommand', () => {
  it('treats empty text and help as help', () => {
    expect(parseCommand('')).toEqual({ kind: 'help' });
    expect(parseCommand('  HELP ')).toEqual({ kind: 'help' });
  });

  it('parses bake with every option', () => {
    expect(parseCommand('bake prod --images a:1,b:2 --no-reboot --note "after CVE fix"')).toEqual({
      kind: 'bake',
      deployment: 'prod',
      images: ['a:1', 'b:2'],
      noReboot: true,
      note: 'after CVE fix',
    });
    expect(parseCommand('bake')).toEqual({ kind: 'bake', noReboot: false });
    expect(parseCommand('bake --images=x:1')).toEqual({ kind: 'bake', noReboot: false, images: ['x:1'] });
  });

  it('parses `--images auto` as the image selection, not as an image named auto', () => {
    expect(parseCommand('bake prod --images auto')).toEqual({
      kind: 'bake',
      deployment: 'prod',
      noReboot: false,
      images: 'auto',
    });
    expect(parseCommand('bake --images=auto')).toEqual({ kind: 'bake', noReboot: false, images: 'auto' });
    expect(parseCommand('bake --images auto:1')).toEqual({ kind: 'bake', noReboot: false, images: ['auto:1'] });
    expect(parseCommand('bake --images " auto "')).toEqual({ kind: 'bake', noReboot: false, images: 'auto' });
    expect(parseCommand('bake --images AUTO')).toEqual({ kind: 'bake', noReboot: false, images: 'auto' });
  });

  it('refuses `auto` mixed with references: it would pull an image named auto', () => {
    for (const list of ['auto,quay.io/a:1', 'quay.io/a:1,AUTO', 'auto,auto']) {
      expect(parseCommand(`bake --images ${list}`)).toMatchObject({
        kind: 'invalid',
        message: expect.stringContaining('`--images auto` chooses the images from what Domino’s users run'),
      });
    }
  });

  it('refuses malformed bake options with a clear message', () => {
    expect(parseCommand('bake --images')).toMatchObject({
      kind: 'invalid',
      message: expect.stringContaining('--images'),
    });
    expect(parseCommand('bake --force')).toMatchObject({
      kind: 'invalid',
      message: expect.stringContaining('--force'),
    });
    expect(parseCommand('bake a b')).toMatchObject({ kind: 'invalid' });
    expect(parseCommand(`bake --note "${'x'.repeat(600)}"`)).toMatchObject({ kind: 'invalid' });
  });

  it('parses status and cancel and checks their arity', () => {
    expect(parseCommand('status')).toEqual({ kind: 'status' });
    expect(parseCommand('status bake-20261128-abcd')).toEqual({ kind: 'status', bakeId: 'bake-20261128-abcd' });
    expect(parseCommand('cancel bake-20261128-abcd')).toEqual({ kind: 'cancel', bakeId: 'bake-20261128-abcd' });
    expect(parseCommand('cancel')).toMatchObject({ kind: 'invalid' });
  });

  it('parses images with an optional deployment name, refusing anything else', () => {
    expect(parseCommand('images')).toEqual({ kind: 'images' });
    expect(parseCommand('images acme')).toEqual({ kind: 'images', deployment: 'acme' });
    expect(parseCommand('images acme prod')).toMatchObject({
      kind: 'invalid',
      message: expect.stringContaining('/ami images'),
    });
    expect(parseCommand('images <!channel>')).toMatchObject({
      kind: 'invalid',
      message: expect.stringContaining('lowercase letters, digits and dashes'),
    });
  });

  it('reports unknown subcommands and oversized input as values, never throwing', () => {
    expect(parseCommand('deploy everything')).toEqual({ kind: 'unknown', word: 'deploy' });
    expect(parseCommand('$(rm -rf /)')).toEqual({ kind: 'unknown', word: '$(rm' });
    expect(parseCommand('x'.repeat(5000))).toMatchObject({ kind: 'invalid' });
  });
});

describe('image references exactly as typed', () => {
  it('keeps the raw text of each word', () => {
    expect(tokenizeWords(`bake --images "a:1,b:2" x'id'`)).toEqual({
      words: [
        { value: 'bake', raw: 'bake' },
        { value: '--images', raw: '--images' },
        { value: 'a:1,b:2', raw: '"a:1,b:2"' },
        { value: 'xid', raw: "x'id'" },
      ],
    });
    expect(tokenizeWords('bake --note "open').unclosedQuote).toBe('"');
  });

  it('refuses a reference that quotes would change, naming it', () => {
    for (const text of [
      `bake --images quay.io/domino/base:x'id'`,
      `bake --images=quay.io/domino/base:x"i"d`,
      `bake --images a:1,b"c":2`,
    ]) {
      const parsed = parseCommand(text);
      expect(parsed, text).toMatchObject({ kind: 'invalid', message: expect.stringContaining('quotes inside it') });
    }
    expect(parseCommand(`bake --images quay.io/domino/base:x'id'`)).toMatchObject({
      message: expect.stringContaining("`quay.io/domino/base:x'id'`"),
    });
    expect(parseCommand(`bake pro"d"`)).toMatchObject({ kind: 'invalid', message: expect.stringContaining('pro"d"') });
  });

  it('accepts quotes around the whole value, and quotes inside a note', () => {
    expect(parseCommand('bake --images "a:1,b:2"')).toMatchObject({ images: ['a:1', 'b:2'] });
    expect(parseCommand(`bake --images='a:1'`)).toMatchObject({ images: ['a:1'] });
    expect(parseCommand(`bake "--images=a:1"`)).toMatchObject({ images: ['a:1'] });
    expect(parseCommand(`bake --note "don't 'panic'"`)).toMatchObject({ note: "don't 'panic'" });
    expect(parseCommand(`bake --note="it's fine"`)).toMatchObject({ note: "it's fine" });
  });

  it('refuses an unclosed quote instead of guessing where it ends', () => {
    expect(parseCommand(`bake --note don't`)).toMatchObject({
      kind: 'invalid',
      message: expect.stringContaining('not closed'),
    });
    expect(parseCommand(`bake --images "a:1`)).toMatchObject({ kind: 'invalid' });
  });

  it('escapes what it echoes back', () => {
    expect(parseCommand('bake --<!channel>')).toMatchObject({
      message: expect.stringContaining('--&lt;!channel&gt;'),
    });
  });
});
