import type { Config, DeploymentConfig } from '../config.js';
import { userMessage } from '../errors.js';
import type { Clock, SimTime } from '../ports/clock.js';
import type { StateStore } from '../ports/state-store.js';
import type { AmiInventorySummary } from '../review/review-report.js';
import type { Logger } from '../shared/logger.js';
import type { HomeAmiSummary, HomeData } from './bake-presenter.js';

export interface HomeTabDeps {
  config: Config;
  /** Sandbox: how simulated time runs (default `config.simSpeed`). */
  simTime?: SimTime;
  store: StateStore;
  clock: Clock;
  logger?: Logger;
  /** The AMI lifecycle's inventory in numbers (injected by bot.ts, as for the review); absent: no AMI section. */
  amiInventory?: (deployment: DeploymentConfig) => Promise<AmiInventorySummary>;
}

/** The App Home use case: what one user's App Home shows (the Slack layer builds and publishes the view). */
export function createHomeTab(deps: HomeTabDeps) {
  async function amisOf(deployment: DeploymentConfig, read: NonNullable<HomeTabDeps['amiInventory']>) {
    const base = { deployment: deployment.name, pricePerGbMonth: deployment.retention.pricePerGbMonth };
    try {
      return { ...base, summary: await read(deployment) } satisfies HomeAmiSummary;
    } catch (error) {
      // One deployment's EC2 trouble is a line on the page, never a page that does not open.
      deps.logger?.warn({ err: error, deployment: deployment.name }, 'App Home: could not read the AMI inventory');
      return { ...base, note: `Could not read the AMI inventory: ${userMessage(error)}` } satisfies HomeAmiSummary;
    }
  }

  return async function homeTab(input: { userId: string }): Promise<HomeData> {
    const read = deps.amiInventory;
    const [bakes, amis] = await Promise.all([
      deps.store.bakes.listRecent(10),
      read ? Promise.all(deps.config.deployments.map((d) => amisOf(d, read))) : undefined,
    ]);
    return {
      userId: input.userId,
      bakes,
      ...(amis ? { amis } : {}),
      now: deps.clock.now(),
      sandbox: deps.config.sandbox,
      kinds: [...new Set(deps.config.deployments.map((deployment) => deployment.kind))],
      ...(deps.config.sandbox ? { simSpeed: deps.simTime ?? deps.config.simSpeed } : {}),
    };
  };
}
