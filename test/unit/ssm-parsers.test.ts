import { describe, expect, it } from 'vitest';
import { parseDockerImages, parseFailedStates, parseHighstateSummary } from '../../src/bake/ssm-scripts.js';

const D1 = `sha256:${'1'.repeat(64)}`;
const D2 = `sha256:${'2'.repeat(64)}`;

describe('parseDockerImages', () => {
  it('normalizes every cached image by tag, by digest and by both, skipping <none>', () => {
    const stdout = [
      `quay.io/domino/base:DED_py3.6_R3.4_23052018@${D1}`,
      `ubuntu:22.04@${D2}`,
      'localhost:5000/team/app:dev@<none>',
      `myorg/tool:<none>@${D1}`,
      '<none>:<none>@<none>',
      '',
      'WARNING: something docker printed',
    ].join('\n');
    expect(parseDockerImages(stdout)).toEqual([
      'quay.io/domino/base:DED_py3.6_R3.4_23052018',
      `quay.io/domino/base@${D1}`,
      `quay.io/domino/base:DED_py3.6_R3.4_23052018@${D1}`,
      'docker.io/library/ubuntu:22.04',
      `docker.io/library/ubuntu@${D2}`,
      `docker.io/library/ubuntu:22.04@${D2}`,
      'localhost:5000/team/app:dev',
      `docker.io/myorg/tool@${D1}`,
    ]);
  });

  it('handles CRLF, duplicates and empty output', () => {
    expect(parseDockerImages('busybox:latest@<none>\r\nbusybox:latest@<none>\r\n')).toEqual([
      'docker.io/library/busybox:latest',
    ]);
    expect(parseDockerImages('')).toEqual([]);
  });
});

/** Shaped like `salt-call state.highstate --state-verbose=False` output with two failures. */
const SALT_FAILED = `local:
----------
          ID: docker-engine
    Function: pkg.installed
        Name: docker-ce
      Result: False
     Comment: An error was encountered while installing package(s): E: Unable to locate package docker-ce
              Result: False appears in a continuation line and must not count
     Started: 10:11:12.345678
    Duration: 2345.6 ms
     Changes:
----------
          ID: /etc/domino/executor.conf
    Function: file.managed
      Result: True
     Comment: File /etc/domino/executor.conf updated
     Started: 10:11:15.000000
    Duration: 12.3 ms
     Changes:
              ----------
              diff:
                  New file
----------
          ID: restart-executor
    Function: service.running
        Name: domino-executor
      Result: False
     Comment: One or more requisite failed: docker-engine
     Started: 10:11:16.000000
    Duration: 0.01 ms
     Changes:

Summary for local
--------------
Succeeded: 85 (changed=3)
Failed:     2
--------------
Total states run:     87
Total run time:   45.678 s
`;

describe('parseHighstateSummary', () => {
  it('reads counts and failed states from a failed run', () => {
    expect(parseHighstateSummary(SALT_FAILED)).toEqual({
      succeeded: 85,
      changed: 3,
      failed: 2,
      total: 87,
      failedStates: ['docker-engine (docker-ce)', 'restart-executor (domino-executor)'],
    });
  });

  it('reads a clean run without a changed count', () => {
    const stdout =
      'local:\n\nSummary for local\n-------------\nSucceeded: 120\nFailed:      0\n-------------\nTotal states run:     120\n';
    expect(parseHighstateSummary(stdout)).toEqual({
      succeeded: 120,
      changed: 0,
      failed: 0,
      total: 120,
      failedStates: [],
    });
  });

  it('ignores colour codes and the truncation banner', () => {
    const esc = String.fromCharCode(27);
    const stdout = `[ami-bot] last 20000 of 81234 bytes; full log: /var/log/ami-bot/highstate-x.log\n…tail of a state\n${esc}[0;36m\nSummary for local\n${esc}[0;32mSucceeded: 10 (changed=1)${esc}[0m\n${esc}[0;31mFailed:    1${esc}[0m\n`;
    expect(parseHighstateSummary(stdout)).toEqual({ succeeded: 10, changed: 1, failed: 1, failedStates: [] });
  });

  it('uses the last summary and gives undefined when there is none', () => {
    expect(
      parseHighstateSummary('Summary for local\nSucceeded: 1\nFailed: 1\nSummary for local\nSucceeded: 2\nFailed: 0\n'),
    ).toMatchObject({
      succeeded: 2,
      failed: 0,
    });
    expect(
      parseHighstateSummary('local:\n    Data failed to compile:\n----------\n    Rendering SLS failed'),
    ).toBeUndefined();
    expect(parseHighstateSummary('')).toBeUndefined();
  });
});

describe('parseFailedStates', () => {
  it('names each failed state with the first line of its comment, not the succeeded ones', () => {
    expect(parseFailedStates(SALT_FAILED)).toEqual([
      'docker-engine (docker-ce): An error was encountered while installing package(s): E: Unable to locate package docker-ce',
      'restart-executor (domino-executor): One or more requisite failed: docker-engine',
    ]);
    expect(parseFailedStates('no salt output at all')).toEqual([]);
  });
});
