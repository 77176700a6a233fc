import type { DeploymentKind } from '../config.js';

/**
 * What a deployment's rollout targets and their AMI are called in its messages, by kind: a Domino 3.x admin moves
 * hardware tiers' executor image, a Domino 4+ admin moves node groups' node image (their launch template's AMI).
 * Every message about a change names its targets through this, so no node group is ever called a tier; the bake
 * names its template and AMI through it too (pure; in shared/ so that both bake and rollout may read it).
 */
export interface TargetNoun {
  kind: DeploymentKind;
  /** One target in full: `hardware tier`, `node group`. */
  one: string;
  /** Several targets in full: `hardware tiers`, `node groups`. */
  many: string;
  /** One target in a count (`2 tiers changed`): `tier`, `node group`. */
  short: string;
  shortMany: string;
  /**
   * The AMI a target launches, as the people it concerns call it: `executor image`; `node image` (the AMI the node
   * group's launch template names, the one Domino's users' runs land on).
   */
  image: string;
  /** The machines that run the work and boot from that AMI: `executors`, `nodes`. */
  machines: string;
  machine: string;
  /** One machine with its article, for a sentence: `an executor`, `a node`. */
  aMachine: string;
  /** The instance a bake snapshots: `executor template`, `node template`. */
  template: string;
  /** What a bake makes: `executor AMI`, `node AMI`. */
  ami: string;
}

const NOUNS: Record<DeploymentKind, TargetNoun> = {
  'hardware-tiers': {
    kind: 'hardware-tiers',
    one: 'hardware tier',
    many: 'hardware tiers',
    short: 'tier',
    shortMany: 'tiers',
    image: 'executor image',
    machines: 'executors',
    machine: 'executor',
    aMachine: 'an executor',
    template: 'executor template',
    ami: 'executor AMI',
  },
  'eks-node-groups': {
    kind: 'eks-node-groups',
    one: 'node group',
    many: 'node groups',
    short: 'node group',
    shortMany: 'node groups',
    image: 'node image',
    machines: 'nodes',
    machine: 'node',
    aMachine: 'a node',
    template: 'node template',
    ami: 'node AMI',
  },
};

export function targetNoun(kind: DeploymentKind = 'hardware-tiers'): TargetNoun {
  return NOUNS[kind];
}

/** The words for a deployment by name (a change outliving its deployment in the config reads as tiers). */
export function targetNounOf(
  deployments: readonly { name: string; kind: DeploymentKind }[],
  deployment: string,
): TargetNoun {
  return targetNoun(deployments.find((d) => d.name === deployment)?.kind);
}
