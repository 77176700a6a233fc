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

/**
 * docs/ARCHITECTURE.md's "Still being moved (issue 14)" names what the code still has of the old design; each
 * item is detected in the code here, so the list can neither keep a finished item nor omit one still there.
 */
describe('architecture: the "Still being moved" list is honest', () => {
  const ROOT = join(SRC, '..');
  const doc = readFileSync(join(ROOT, 'docs', 'ARCHITECTURE.md'), 'utf8');
  const start = doc.indexOf('## Still being moved (issue 14)');
  const next = doc.indexOf('\n## ', start + 1);
  const section = doc.slice(start, next === -1 ? undefined : next);
  const named = (name: string) => section.includes(`\`${name}\``);
  const mongo = (file: string) => readFileSync(join(SRC, 'adapters', 'mongo', file), 'utf8');
  /** Collections a Mongo adapter opens by name, outside the start-up folds of what older releases wrote. */
  const openedCollections = filesUnder(join(SRC, 'adapters', 'mongo'))
    .filter((file) => !file.split('/').pop()!.startsWith('legacy-'))
    .flatMap((file) => [...readFileSync(file, 'utf8').matchAll(/\.collection(?:<[^>]*>)?\(\s*'([a-z_]+)'/g)])
    .map((m) => m[1]!);

  it('finds the section', () => {
    expect(start).toBeGreaterThan(0);
    expect(section.length).toBeGreaterThan(100);
  });

  it('names exactly the e2e, reliability and integration tests still on a scaled clock', () => {
    const testRoot = join(ROOT, 'test');
    const onScaledClock = ['e2e', 'reliability', 'integration', 'support']
      .flatMap((dir) => filesUnder(join(testRoot, dir)))
      .filter((file) => /createScaledClock\(|runDemo\(|--speed/.test(readFileSync(file, 'utf8')))
      .map((file) => relative(ROOT, file))
      .sort();
    const listed = [...section.matchAll(/`(test\/(?:e2e|reliability|integration|support)\/[^`]+\.ts)`/g)]
      .map((m) => m[1]!)
      .sort();
    expect(onScaledClock).toEqual(listed);
  });

  it.each([['change_steps'], ['bake_claims'], ['bake_cancels'], ['ami_test_cancels'], ['review_events']])(
    'names the step collection %s exactly while an adapter still writes it',
    (collection) => {
      expect(named(collection)).toBe(openedCollections.includes(collection));
    },
  );

  it('names the tick generations exactly while a take-over still inserts a new document', () => {
    expect(section.replace(/\s+/g, ' ').includes('tick generations')).toBe(
      // The old form: a take-over inserted `<key>#<gen>`.
      /#\$\{gen\}/.test(mongo('tick-repo.ts')),
    );
  });

  it('the check can fail: a finished item still listed, or a step collection in use but not listed', () => {
    expect(openedCollections).toContain('changes');
    expect(openedCollections).not.toContain('change_steps');
    expect(named('change_steps')).toBe(false);
  });
});
