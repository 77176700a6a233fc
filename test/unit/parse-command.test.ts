import { describe, expect, it } from 'vitest';
import { parseCommand } from '../../src/slack/parse-command.js';
import { tokenize } from '../../src/slack/tokenize.js';

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

  it('reports unknown subcommands and oversized input as values, never throwing', () => {
    expect(parseCommand('deploy everything')).toEqual({ kind: 'unknown', word: 'deploy' });
    expect(parseCommand('$(rm -rf /)')).toEqual({ kind: 'unknown', word: '$(rm' });
    expect(parseCommand('x'.repeat(5000))).toMatchObject({ kind: 'invalid' });
  });
});
