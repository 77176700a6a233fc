import type {
  ContainerRuntime,
  ContainerRuntimeChoice,
  DeploymentConfig,
  DeploymentKind,
  Provision,
} from '../config.js';
import type { BakeRecord } from './bake-record.js';

/**
 * What a bake does on its template besides the snapshot: which container runtime pulls the images, and how the
 * template is provisioned. Decided from the deployment when the bake starts and kept on the record, so a bake
 * keeps what it started with even if the configuration changes while it runs. Pure.
 */

/** The deployment's runtime: configured, else docker for Domino 3.x executors and detected for EKS nodes. */
export function deploymentRuntimeChoice(
  deployment: Pick<DeploymentConfig, 'kind' | 'containerRuntime'>,
): ContainerRuntimeChoice {
  return deployment.containerRuntime ?? (deployment.kind === 'eks-node-groups' ? 'auto' : 'docker');
}

/** The deployment's provisioning: configured, else salt's highstate for executors and nothing for EKS nodes. */
export function deploymentProvision(deployment: Pick<DeploymentConfig, 'kind' | 'provision'>): Provision {
  return deployment.provision ?? (deployment.kind === 'eks-node-groups' ? 'none' : 'salt-highstate');
}

type RuntimeFields = Pick<BakeRecord, 'runtimeChoice' | 'facts'>;

/** A bake saved before runtimes were configurable ran docker. */
export function bakeRuntimeChoice(bake: Pick<BakeRecord, 'runtimeChoice'>): ContainerRuntimeChoice {
  return bake.runtimeChoice ?? 'docker';
}

/** A bake saved before provisioning was configurable ran salt's highstate. */
export function bakeProvision(bake: Pick<BakeRecord, 'provision'>): Provision {
  return bake.provision ?? 'salt-highstate';
}

/** The runtime the bake pulls with: the configured one, or the one detected on the template (none yet: undefined). */
export function bakeRuntime(bake: RuntimeFields): ContainerRuntime | undefined {
  const choice = bakeRuntimeChoice(bake);
  return choice === 'auto' ? bake.facts.containerRuntime : choice;
}

/**
 * The order `auto` tries the runtimes in. EKS nodes run containerd (nerdctl first: it reads registry credentials
 * like docker does); an executor template is docker's unless it has none.
 */
export function detectionOrder(kind: DeploymentKind): readonly ContainerRuntime[] {
  return kind === 'eks-node-groups' ? ['nerdctl', 'ctr'] : ['docker', 'nerdctl', 'ctr'];
}

const RUNTIME_LABEL: Record<ContainerRuntime, string> = {
  docker: 'docker',
  nerdctl: 'containerd, nerdctl',
  ctr: 'containerd, ctr',
};

export function runtimeLabel(runtime: ContainerRuntime): string {
  return RUNTIME_LABEL[runtime];
}

/**
 * What a runtime-dependent step's title adds for this bake: nothing for docker (the titles bakes always had),
 * the runtime for containerd, and that it is still to be detected.
 */
export function runtimeSuffix(bake: RuntimeFields): string {
  const runtime = bakeRuntime(bake);
  if (runtime === 'docker') return '';
  return runtime === undefined ? ' (runtime detected on the template)' : ` (${runtimeLabel(runtime)})`;
}

/** The provisioning step's title: salt's command as always, or the script, or that there is none. */
export function provisionTitle(bake: Pick<BakeRecord, 'provision'>): string {
  const provision = bakeProvision(bake);
  if (provision === 'salt-highstate') return 'salt-call state.highstate';
  if (provision === 'none') return 'Provision (none configured)';
  return `Provision (script ${provision.script})`;
}
