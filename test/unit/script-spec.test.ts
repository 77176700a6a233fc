import { describe, expect, it } from 'vitest';
import { parseImageReference } from '../../src/bake/image-reference.js';
import { buildScript, recogniseScript, type ScriptSpec } from '../../src/bake/script-spec.js';
import {
  detectRuntimeScript,
  highstateScript,
  inventoryScript,
  provisionScript,
  pruneScript,
  pullScript,
} from '../../src/bake/ssm-scripts.js';

const DIGEST = `sha256:${'a3ed95caeb02ffe68cdd9fd84406680ae93d633cb16422d00e8a7c22955b46d4'}`;
const REFS = [
  'quay.io/domino/base:DED_py3.6_R3.4_23052018',
  'quay.io/domino/spark-environment:3.3.0-py3.9-domino5.5',
  'ubuntu',
  `x@${DIGEST}`,
  `registry.example.com:443/team/app:1.2.3@${DIGEST}`,
  '[::1]:5000/app:v1',
  'localhost:5000/a/b:c',
];
const BAKE_IDS = ['bake-20250101-abcd', 'bk-1', 'a', 'a'.repeat(64), '0-0'];

/** Every script the bot can send, with the spec it must be recognised as. */
const SCRIPTS: Array<[string, string[], ScriptSpec]> = [
  ['inventory', inventoryScript(), { kind: 'inventory' }],
  ['prune', pruneScript(), { kind: 'prune' }],
  ...REFS.map((text): [string, string[], ScriptSpec] => {
    const ref = parseImageReference(text);
    return [`pull ${text}`, pullScript(ref), { kind: 'pull', ref }];
  }),
  ...BAKE_IDS.map((bakeId): [string, string[], ScriptSpec] => [
    `highstate ${bakeId}`,
    highstateScript(bakeId),
    { kind: 'highstate', bakeId },
  ]),
  ['inventory nerdctl', inventoryScript('nerdctl'), { kind: 'inventory', runtime: 'nerdctl' }],
  ['inventory ctr', inventoryScript('ctr'), { kind: 'inventory', runtime: 'ctr' }],
  ...REFS.map((text): [string, string[], ScriptSpec] => {
    const ref = parseImageReference(text);
    return [`nerdctl pull ${text}`, pullScript(ref, 'nerdctl'), { kind: 'pull', ref, runtime: 'nerdctl' }];
  }),
  // ctr is sent the canonical reference, and recognised with it (Docker Hub's: see the test of its own below,
  // as the edits here would turn docker.io into another valid registry).
  ...REFS.filter((text) => !parseImageReference(text).normalized.startsWith('docker.io/')).map(
    (text): [string, string[], ScriptSpec] => {
      const ref = parseImageReference(parseImageReference(text).normalized);
      return [`ctr pull ${text}`, pullScript(ref, 'ctr'), { kind: 'pull', ref, runtime: 'ctr' }];
    },
  ),
  ...[['nerdctl', 'ctr'] as const, ['docker', 'nerdctl', 'ctr'] as const, ['ctr'] as const].map(
    (order): [string, string[], ScriptSpec] => [
      `detect-runtime ${order.join(',')}`,
      detectRuntimeScript(order),
      { kind: 'detect-runtime', order },
    ],
  ),
  ...['/opt/domino/bake.sh', '/usr/local/bin/provision', '/a'].flatMap((script) =>
    BAKE_IDS.slice(0, 2).map((bakeId): [string, string[], ScriptSpec] => [
      `provision ${script} ${bakeId}`,
      provisionScript(bakeId, script),
      { kind: 'provision', bakeId, script },
    ]),
  ),
];

describe('recogniseScript: the typed description of every script the bot sends', () => {
  it.each(SCRIPTS)('%s is recognised back to its spec, and the spec builds the same lines', (_name, lines, spec) => {
    expect(recogniseScript(lines)).toEqual(spec);
    expect(buildScript(spec)).toEqual(lines);
  });

  it('a pull is recognised with the validated reference the bot pulled', () => {
    const spec = recogniseScript(pullScript(parseImageReference(REFS[1]!)));
    expect(spec).toMatchObject({ kind: 'pull', ref: { text: REFS[1], normalized: REFS[1] } });
  });

  it('a ctr pull of a Docker Hub short name is sent and recognised with its canonical reference', () => {
    const lines = pullScript(parseImageReference('ubuntu'), 'ctr');
    expect(lines.at(-1)).toBe("ctr --namespace k8s.io images pull 'docker.io/library/ubuntu:latest'");
    expect(recogniseScript(lines)).toMatchObject({
      kind: 'pull',
      runtime: 'ctr',
      ref: { text: 'docker.io/library/ubuntu:latest' },
    });
    // The bot never sends ctr a short or non-canonical name: such a script is not one of its own.
    expect(recogniseScript(lines.map((line) => line.replace('library/', '')))).toBeUndefined();
    expect(
      recogniseScript(lines.map((line) => line.replace("'docker.io/library/ubuntu:latest'", "'ubuntu'"))),
    ).toBeUndefined();
  });

  /** One-character and one-line edits of each script: none of them may pass as the bot's. */
  const edits = (lines: string[]): string[][] => [
    [...lines, 'true'],
    ['true', ...lines],
    lines.slice(0, -1),
    lines.slice(1),
    lines.map((line, i) => (i === lines.length - 1 ? `${line} ` : line)),
    lines.map((line, i) => (i === 0 ? line.replace(/.$/, '') : line)),
    lines.map((line) => line.replace("'", '"')),
    [lines.join('\n')].filter(() => lines.length > 1),
    lines.map((line) => line.replace('docker', 'podman').replace('salt-call', 'salt')),
    lines.map((line) => line.replace(/ --?[a-z]+/, (flag) => flag.toUpperCase())),
  ];

  it.each(SCRIPTS)('%s, modified in any way, is not recognised', (_name, lines) => {
    const modified = edits(lines).filter((edit) => edit.length > 0 && edit.join('\n') !== lines.join('\n'));
    expect(modified.length).toBeGreaterThanOrEqual(6);
    for (const edit of modified) expect(recogniseScript(edit)).toBeUndefined();
  });

  it('does not recognise other scripts, unchecked references or invalid bake ids', () => {
    for (const lines of [
      [],
      [''],
      ['true'],
      ['echo hi', 'exit 3'],
      ["docker pull 'ubuntu;reboot'"],
      ["docker pull 'a' 'b'"],
      ['docker pull ubuntu'],
      ["docker pull 'ubuntu'", "docker pull 'ubuntu'"],
      highstateScript('bk-1').map((line) => line.replace('bk-1', 'BK-1')),
      highstateScript('bk-1').map((line) => line.replace('bk-1', '../../etc/passwd')),
      highstateScript('bk-1').map((line) => (line.startsWith('log=') ? "log='/tmp/highstate-bk-1.log'" : line)),
      [...highstateScript('bk-1'), ...highstateScript('bk-2')],
      ["ctr --namespace k8s.io images pull 'ubuntu;reboot'"],
      provisionScript('bk-1', '/opt/x.sh').map((line) => line.replaceAll('/opt/x.sh', '/opt/x.sh;reboot')),
      provisionScript('bk-1', '/opt/x.sh').map((line) => line.replaceAll('/opt/x.sh', '/opt/../x.sh')),
      detectRuntimeScript(['ctr']).map((line) => line.replaceAll('ctr', 'podman')),
      [...detectRuntimeScript(['ctr']), ...detectRuntimeScript(['nerdctl'])],
    ])
      expect(recogniseScript(lines)).toBeUndefined();
  });
});
