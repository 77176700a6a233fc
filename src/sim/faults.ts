/**
 * Named fault switches for the simulator. The demo (`--fault name`), sandbox mode and tests turn them on to
 * rehearse the failure paths that production will meet, through exactly the same use-case code.
 */

export const FAULT_NAMES = {
  'image-failed': 'CreateImage ends in state `failed` (with a stateReason) instead of `available`.',
  'pull-failed': '`docker pull` fails with "manifest unknown" and exit code 1.',
  'pull-flaky': 'The first `docker pull` of each image reference fails with a network timeout; a retry works.',
  'highstate-failed': '`salt-call state.highstate` reports 2 failed states and exits with code 2.',
  'ssm-offline': 'The SSM agent never comes online (isAgentOnline false, SendCommand rejected).',
  'ssm-timeout': '`salt-call state.highstate` hangs until the command execution timeout (status TimedOut).',
  'domino-job-failed': 'Domino jobs end in `Failed` while Preparing, before they reach Running (the AMI test fails).',
  'domino-api-down': 'Every Domino REST API call throws AppError `domino_api_unreachable`.',
  'aws-throttle':
    'EC2/SSM calls answer 1–4 virtual seconds late, as the SDK does while it backs off RequestLimitExceeded (no error reaches the caller).',
  'crash-mid-bake': 'Read by the demo driver (it kills and restarts the bot mid-bake); the simulator ignores it.',
} as const;

export type FaultName = keyof typeof FAULT_NAMES;

/**
 * Faults of the EKS node-group simulator. Kept out of FAULT_NAMES (the demo's `--fault` list, each of which the
 * demo must show) until the demo walks an `eks-node-groups` deployment; tests switch them on with `faults.on`.
 */
export const EKS_FAULT_NAMES = {
  'nodegroup-update-failed':
    'UpdateNodegroupVersion launches the replacement nodes, then fails with PodEvictionFailure: the update ends Failed with errors, the old nodes stay.',
} as const;

export type EksFaultName = keyof typeof EKS_FAULT_NAMES;
export type AnyFaultName = FaultName | EksFaultName;

export interface Faults {
  isOn(name: AnyFaultName): boolean;
  on(name: AnyFaultName): void;
  off(name: AnyFaultName): void;
  /** The faults currently on, in FAULT_NAMES order (the demo's; EKS faults are not listed). */
  list(): FaultName[];
}

export function isFaultName(name: string): name is FaultName {
  return Object.hasOwn(FAULT_NAMES, name);
}

function isAnyFaultName(name: string): name is AnyFaultName {
  return isFaultName(name) || Object.hasOwn(EKS_FAULT_NAMES, name);
}

/** Validates names (e.g. from `--fault a,b` or an env var) and says which ones exist when one does not. */
export function parseFaultNames(input: string | readonly string[]): FaultName[] {
  const names = (typeof input === 'string' ? input.split(',') : input).map((n) => n.trim()).filter(Boolean);
  const unknown = names.filter((n) => !isFaultName(n));
  if (unknown.length > 0) {
    throw new Error(
      `Unknown simulator fault${unknown.length > 1 ? 's' : ''}: ${unknown.join(', ')}. Known faults: ${Object.keys(FAULT_NAMES).join(', ')}.`,
    );
  }
  return [...new Set(names as FaultName[])];
}

export function createFaults(names: readonly string[] = []): Faults {
  const active = new Set<AnyFaultName>(parseFaultNames(names));
  const check = (name: AnyFaultName): AnyFaultName => {
    if (!isAnyFaultName(name)) parseFaultNames([name]); // throws the message naming the known faults
    return name;
  };
  return {
    isOn: (name) => active.has(name),
    on: (name) => void active.add(check(name)),
    off: (name) => void active.delete(check(name)),
    list: () => (Object.keys(FAULT_NAMES) as FaultName[]).filter((n) => active.has(n)),
  };
}
