import type { ProgramContext, ProgramRun } from './host-program.js';

/**
 * `salt-call state.highstate --state-verbose=False` on the executor template, as the bot runs it: 85 states, 3
 * of which change something, in Salt's highstate outputter format (full blocks; states that changed nothing are
 * left out, as --state-verbose=False does).
 */

interface SaltState {
  id: string;
  fn: string;
  name: string;
  comment: string;
  weight: number;
  changes?: string[];
  failed?: boolean;
}

const PACKAGES = ['apt-transport-https', 'ca-certificates', 'curl', 'gnupg', 'jq', 'lvm2', 'nfs-common', 'ntp'];
const PACKAGES_2 = ['python3-pip', 'awscli', 'unzip', 'htop', 'sysstat', 'xfsprogs', 'conntrack', 'socat'];
const PACKAGES_3 = ['git', 'wget', 'rsync', 'tmux', 'vim', 'net-tools', 'iotop', 'ethtool'];
const FILES = [
  '/etc/docker/daemon.json',
  '/etc/domino/executor.conf',
  '/etc/sysctl.d/90-domino.conf',
  '/etc/security/limits.d/domino.conf',
  '/etc/logrotate.d/docker-containers',
  '/etc/systemd/system/docker.service.d/override.conf',
  '/etc/ssh/sshd_config',
  '/etc/chrony/chrony.conf',
  '/etc/fstab',
  '/etc/hosts',
  '/opt/domino/bin/executor-healthcheck',
  '/opt/domino/bin/cleanup-images',
];

function states(failed: boolean): SaltState[] {
  const list: SaltState[] = [
    {
      id: 'pkg-upgrade',
      fn: 'pkg.uptodate',
      name: 'pkg-upgrade',
      comment: 'Upgrade ran successfully',
      weight: 60,
      changes: [
        'libssl1.1:',
        '    ----------',
        '    new:',
        '        1.1.1f-1ubuntu2.24',
        '    old:',
        '        1.1.1f-1ubuntu2.23',
      ],
    },
  ];
  for (const p of [...PACKAGES, ...PACKAGES_2, ...PACKAGES_3]) {
    list.push({
      id: `pkg-${p}`,
      fn: 'pkg.installed',
      name: p,
      comment: 'All specified packages are already installed',
      weight: 1,
    });
  }
  for (const f of FILES) {
    const changed = f === '/etc/docker/daemon.json';
    const comment = changed ? `File ${f} updated` : `File ${f} is in the correct state`;
    const id = `managed-${f.split('/').at(-1)?.replace(/\W+/g, '-')}`;
    list.push({ id, fn: 'file.managed', name: f, comment, weight: 0.3, ...(changed ? { changes: DIFF } : {}) });
  }
  for (const d of ['/var/lib/docker', '/opt/domino', '/var/log/domino', '/mnt/domino', '/domino/datasets']) {
    list.push({
      id: d,
      fn: 'file.directory',
      name: d,
      comment: `The directory ${d} is in the correct state`,
      weight: 0.1,
    });
  }
  for (const svc of ['docker', 'chrony', 'sysstat', 'amazon-ssm-agent', 'nfs-client.target', 'domino-node-agent']) {
    const changed = svc === 'docker';
    list.push({
      id: `${svc}-service`,
      fn: 'service.running',
      name: svc,
      comment: changed ? `Service restarted` : `The service ${svc} is already running`,
      weight: changed ? 8 : 0.5,
      ...(changed ? { changes: [`${svc}:`, '    True'] } : {}),
    });
  }
  for (const [key, value] of SYSCTLS) {
    const comment = `Sysctl value ${key} = ${value} is already set`;
    list.push({ id: `sysctl-${key}`, fn: 'sysctl.present', name: key, comment, weight: 0.05 });
  }
  for (const [id, fn, name, comment] of MISC) list.push({ id, fn, name, comment, weight: 0.2 });
  list.push({
    id: 'domino-executor-tools',
    fn: 'pkg.installed',
    name: 'domino-executor-tools',
    comment: failed
      ? 'Problem encountered installing package(s). Additional info follows:\n\nerrors:\n    - E: Unable to locate package domino-executor-tools'
      : 'All specified packages are already installed',
    weight: 2,
    ...(failed ? { failed: true } : {}),
  });
  list.push({
    id: 'executor-healthcheck-timer',
    fn: 'service.running',
    name: 'executor-healthcheck.timer',
    comment: failed
      ? 'One or more requisite failed: executor.domino-executor-tools'
      : 'The service executor-healthcheck.timer is already running',
    weight: 0.5,
    ...(failed ? { failed: true } : {}),
  });
  list.push({
    id: 'docker-prune-cron',
    fn: 'cron.present',
    name: '/opt/domino/bin/cleanup-images',
    comment: 'Cron /opt/domino/bin/cleanup-images already present',
    weight: 0.2,
  });
  return list;
}

/** Kernel settings the executor states pin. */
const SYSCTLS: Array<[string, string]> = [
  ['vm.max_map_count', '262144'],
  ['vm.swappiness', '10'],
  ['vm.overcommit_memory', '1'],
  ['vm.dirty_ratio', '20'],
  ['net.ipv4.ip_forward', '1'],
  ['net.bridge.bridge-nf-call-iptables', '1'],
  ['net.bridge.bridge-nf-call-ip6tables', '1'],
  ['net.core.somaxconn', '32768'],
  ['net.core.netdev_max_backlog', '16384'],
  ['net.ipv4.tcp_keepalive_time', '600'],
  ['net.ipv4.tcp_max_syn_backlog', '8096'],
  ['net.ipv4.neigh.default.gc_thresh1', '4096'],
  ['net.ipv4.neigh.default.gc_thresh2', '8192'],
  ['fs.inotify.max_user_watches', '524288'],
  ['fs.inotify.max_user_instances', '8192'],
  ['fs.file-max', '2097152'],
  ['kernel.pid_max', '4194304'],
  ['kernel.keys.root_maxkeys', '1000000'],
];

/** The rest of a typical executor state tree: users, mounts, one-off commands, tool archives. */
const MISC: Array<[string, string, string, string]> = [
  ['domino-group', 'group.present', 'domino', 'Group domino is present and up to date'],
  ['docker-group', 'group.present', 'docker', 'Group docker is present and up to date'],
  ['domino-user', 'user.present', 'domino', 'User domino is present and up to date'],
  ['ubuntu-user-docker', 'user.present', 'ubuntu', 'User ubuntu is present and up to date'],
  ['mount-domino-scratch', 'mount.mounted', '/mnt/domino', 'Target was already mounted'],
  ['mount-datasets', 'mount.mounted', '/domino/datasets', 'Target was already mounted'],
  ['fstab-nvme', 'mount.fstab_present', '/dev/nvme1n1', '/dev/nvme1n1 entry is already in /etc/fstab.'],
  ['systemd-reload', 'cmd.run', 'systemctl daemon-reload', 'State was not run because onchanges req did not change'],
  [
    'docker-storage-check',
    'cmd.run',
    'docker info --format {{.Driver}} | grep -q overlay2',
    'unless condition is true',
  ],
  ['nvidia-persistenced-off', 'cmd.run', 'systemctl disable nvidia-persistenced', 'onlyif condition is false'],
  ['ecr-credential-helper', 'archive.extracted', '/opt/domino/tools', 'All files in archive are already present'],
  ['node-exporter', 'archive.extracted', '/opt/node_exporter', 'All files in archive are already present'],
  ['timezone-utc', 'timezone.system', 'Etc/UTC', 'Timezone Etc/UTC already set'],
  ['locale-en-us', 'locale.present', 'en_US.UTF-8', 'Locale en_US.UTF-8 is already present'],
  ['journald-limits', 'file.replace', '/etc/systemd/journald.conf', 'No changes needed to be made'],
  ['hostname-prefix', 'file.line', '/etc/cloud/cloud.cfg', 'No changes needed to be made'],
];

const DIFF = [
  'diff:',
  '    ---',
  '    +++',
  '    @@ -3,3 +3,4 @@',
  '         "log-driver": "json-file",',
  '    +    "max-concurrent-downloads": 10,',
];

export function saltHighstate(ctx: ProgramContext): ProgramRun {
  const failed = ctx.faults.isOn('highstate-failed');
  const totalMs = ctx.world.draw(ctx.world.timings.highstate);
  const list = states(failed);
  const weightSum = list.reduce((sum, s) => sum + s.weight, 0);
  let at = ctx.atMs + 1500;
  const blocks: string[] = [];
  for (const state of list) {
    const durationMs = (totalMs - 3000) * (state.weight / weightSum);
    const started = new Date(at).toISOString().slice(11, 23) + String(Math.floor(at * 1000) % 1000).padStart(3, '0');
    at += durationMs;
    if (!state.failed && state.changes === undefined) continue;
    blocks.push(fullBlock(state, started, durationMs));
  }
  const failedCount = list.filter((s) => s.failed).length;
  const changed = list.filter((s) => s.changes !== undefined).length;
  const ok = `Succeeded: ${list.length - failedCount}`;
  const summary = [
    '',
    'Summary for local',
    '-'.repeat(ok.length),
    `${ok} (changed=${changed})`,
    `Failed: ${String(failedCount).padStart(ok.length - 8)}`,
    '-'.repeat(ok.length),
    `Total states run: ${String(list.length).padStart(ok.length - 6)}`,
    `Total run time: ${(totalMs / 1000).toFixed(3).padStart(ok.length - 4)} s`,
  ];
  const stdout = `local:\n${blocks.join('\n')}\n${summary.join('\n')}\n`;
  // Under the ssm-timeout fault the run never finishes: the command's execution timeout ends it.
  const durationMs = ctx.faults.isOn('ssm-timeout') ? 7 * 86_400_000 : totalMs;
  return { durationMs, stdout, stderr: '', exitCode: failed ? 2 : 0 };
}

function fullBlock(state: SaltState, started: string, ms: number): string {
  const pad = (label: string) => label.padStart(12);
  const lines = [
    '----------',
    `${pad('ID')}: ${state.id}`,
    `${pad('Function')}: ${state.fn}`,
    ...(state.name === state.id ? [] : [`${pad('Name')}: ${state.name}`]),
    `${pad('Result')}: ${state.failed ? 'False' : 'True'}`,
    `${pad('Comment')}: ${state.comment.split('\n').join(`\n${' '.repeat(14)}`)}`,
    `${pad('Started')}: ${started}`,
    `${pad('Duration')}: ${ms.toFixed(3)} ms`,
    `${pad('Changes')}:   `,
    ...(state.changes ? ['              ----------', ...state.changes.map((l) => `              ${l}`)] : []),
  ];
  return lines.join('\n');
}
