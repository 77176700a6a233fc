import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * The import rule of docs/ARCHITECTURE.md: a feature (bake, rollout, review, lifecycle) depends only on ports and on
 * shared/; Slack markup and the adapters are the outer ring. This test fails the build when a feature file
 * imports slack/, adapters/ or sim/, or writes Slack markup itself.
 */
const SRC = join(import.meta.dirname, '..', '..', 'src');
/** The features, and shared/ which they all use: neither may know the chat, the adapters or the simulator. */
const FEATURES = ['bake', 'rollout', 'review', 'selection', 'lifecycle', 'shared'];
const OUTER = ['slack', 'adapters', 'sim', 'demo'];

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : path.endsWith('.ts') ? [path] : [];
  });
}

function importsOf(source: string): string[] {
  return [
    ...source.matchAll(/(?:import|export)\s[^'"]*?from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g),
  ].map((m) => m[1] ?? m[2] ?? '');
}

const featureFiles = FEATURES.flatMap((feature) => filesUnder(join(SRC, feature)));

function outerImports(file: string): string[] {
  return importsOf(readFileSync(file, 'utf8'))
    .filter((spec) => spec.startsWith('.'))
    .filter((spec) => OUTER.some((outer) => join(file, '..', spec).startsWith(`${join(SRC, outer)}/`)));
}

const MARKUP = /(?<![\w:]):[a-z][a-z0-9_+-]*:(?![\w:])|<@|<#|<!|<https?:/;

function markupLines(file: string): string[] {
  return readFileSync(file, 'utf8')
    .split('\n')
    .map((line, index) => ({ line: line.trim(), index }))
    .filter(
      ({ line }) =>
        !line.startsWith('//') &&
        !line.startsWith('/*') &&
        !line.startsWith('*') &&
        /['"`]/.test(line) &&
        MARKUP.test(line),
    )
    .map(({ line, index }) => `${relative(SRC, file)}:${index + 1}: ${line}`);
}

describe('architecture: features do not know Slack', () => {
  it('finds the feature files it checks', () => {
    expect(featureFiles.length).toBeGreaterThan(40);
  });

  it('no feature file imports slack/, adapters/, sim/ or demo/', () => {
    const offending = featureFiles.filter((file) => outerImports(file).length > 0).map((file) => relative(SRC, file));
    expect(offending).toEqual([]);
  });

  it('no feature file imports @slack/*', () => {
    const offending = featureFiles.filter((file) =>
      importsOf(readFileSync(file, 'utf8')).some((spec) => spec.startsWith('@slack/')),
    );
    expect(offending.map((file) => relative(SRC, file))).toEqual([]);
  });

  it('no feature file writes Slack markup: emoji shortcodes, <@user> mentions, <url|text> links', () => {
    expect(featureFiles.flatMap(markupLines)).toEqual([]);
  });

  it('the rule can fail: it recognises an offending import', () => {
    const file = join(SRC, 'bake', 'example.ts');
    const spec = '../slack/blocks/block-text.js';
    expect(OUTER.some((outer) => join(file, '..', spec).startsWith(`${join(SRC, outer)}/`))).toBe(true);
    expect(importsOf(`import { codeText } from '${spec}';`)).toEqual([spec]);
    expect(MARKUP.test('`:x: Bake failed for <@U1>`')).toBe(true);
    expect(MARKUP.test("'at 10:30: done'")).toBe(false);
  });
});
