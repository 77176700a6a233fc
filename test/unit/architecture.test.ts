import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * The import rule of docs/ARCHITECTURE.md: a feature (bake, rollout, review) depends only on ports and on
 * shared/; Slack markup and the adapters are the outer ring. This test fails the build when a feature file
 * imports slack/, adapters/ or sim/, or writes Slack markup itself.
 */
const SRC = join(import.meta.dirname, '..', '..', 'src');
const FEATURES = ['bake', 'rollout', 'review'];
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

/**
 * The files that still break the rule, being moved out one by one (issue 14). The list may only shrink: a file
 * not on it that breaks the rule fails the build, and so does a file on it that no longer does (take it off).
 */
const STILL_IMPORTING_SLACK: readonly string[] = [
  'rollout/announce-change.ts',
  'rollout/apply-change.ts',
  'rollout/apply-guards.ts',
  'rollout/change-messages.ts',
  'rollout/decide-change.ts',
  'rollout/maintenance-window.ts',
  'rollout/notify-cancelled.ts',
  'rollout/plan-drain.ts',
  'rollout/plan-rollout.ts',
  'rollout/resolve-target.ts',
  'rollout/revert-change.ts',
  'rollout/rollout-gate.ts',
  'rollout/rollout-history.ts',
  'rollout/rollout-scheduler.ts',
  'rollout/run-ami-test.ts',
  'rollout/test-ami.ts',
];
const STILL_WRITING_MARKUP: readonly string[] = [
  'rollout/announce-change.ts',
  'rollout/approver-capacity.ts',
  'rollout/approvers.ts',
  'rollout/decide-change.ts',
  'rollout/plan-drain.ts',
  'rollout/plan-rollout.ts',
  'rollout/rollout-gate.ts',
  'rollout/test-ami.ts',
];

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

  it('no feature file imports slack/, adapters/, sim/ or demo/ (beyond the shrinking list)', () => {
    const offending = featureFiles.filter((file) => outerImports(file).length > 0).map((file) => relative(SRC, file));
    expect(offending.filter((file) => !STILL_IMPORTING_SLACK.includes(file))).toEqual([]);
    expect(STILL_IMPORTING_SLACK.filter((file) => !offending.includes(file))).toEqual([]);
  });

  it('no feature file imports @slack/*', () => {
    const offending = featureFiles.filter((file) =>
      importsOf(readFileSync(file, 'utf8')).some((spec) => spec.startsWith('@slack/')),
    );
    expect(offending.map((file) => relative(SRC, file))).toEqual([]);
  });

  it('no feature file writes Slack markup: emoji shortcodes, <@user> mentions, <url|text> links (beyond the list)', () => {
    const offending = featureFiles.filter((file) => markupLines(file).length > 0).map((file) => relative(SRC, file));
    const fresh = featureFiles.filter((file) => !STILL_WRITING_MARKUP.includes(relative(SRC, file)));
    expect(fresh.flatMap(markupLines)).toEqual([]);
    expect(STILL_WRITING_MARKUP.filter((file) => !offending.includes(file))).toEqual([]);
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
