/** Domino's node-pool label: a hardware tier names its pool with it, and ami-bot selects node groups by it. */
export const NODE_POOL_LABEL = 'dominodatalab.com/node-pool';
