// The process-level guard in a real Node process: an unhandled rejection is logged and the process keeps going;
// an uncaught synchronous exception is logged as fatal and the process exits 1.
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

function run(body: string) {
  const script = `
    import { installProcessGuards } from './src/shared/process-guard.ts';
    import { createLogger } from './src/shared/logger.ts';
    installProcessGuards(createLogger({ level: 'info' }), () => process.exit(1));
    ${body}
  `;
  return spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    encoding: 'utf8',
    timeout: 20_000,
  });
}

const lines = (stdout: string) =>
  stdout
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as { level: number; msg: string });

describe('process guard', () => {
  it('an unhandled rejection is logged at error and the process carries on', () => {
    const result = run(`
      Promise.reject(new TypeError("Cannot read properties of null (reading 'ssl_check')"));
      setTimeout(() => { console.log('still running'); process.exit(0); }, 100);
    `);
    expect(result.status).toBe(0);
    expect(result.stdout).toContain('still running');
    const logged = lines(result.stdout).find((line) => line.msg.startsWith('unhandled promise rejection'));
    expect(logged?.level).toBe(50);
  }, 30_000);

  it('an uncaught exception is logged at fatal and ends the process with 1', () => {
    const result = run(`
      setTimeout(() => { throw new Error('boom'); }, 10);
      setTimeout(() => { console.log('should not print'); }, 2_000);
    `);
    expect(result.status).toBe(1);
    expect(result.stdout).not.toContain('should not print');
    expect(lines(result.stdout).find((line) => line.msg === 'uncaught exception: stopping')?.level).toBe(60);
  }, 30_000);
});
