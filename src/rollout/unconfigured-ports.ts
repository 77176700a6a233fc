import { AppError } from '../errors.js';
import type { DominoApiPort, DominoTiersPort, TierUsersPort } from '../ports/domino.js';

/**
 * Stand-ins for Domino ports a deployment has not configured: every call explains what to set, so a missing
 * setting is a clear message in Slack instead of a crash at start-up.
 */
const fail = (code: string, message: string) => async (): Promise<never> => {
  throw new AppError(code, message);
};

export function unconfiguredTiers(): DominoTiersPort {
  const missing = fail(
    'domino_mongo_not_configured',
    "Domino's MongoDB is not configured (MONGODB_URI); nothing was changed.",
  );
  return { listTiers: missing, applyImageUpdates: missing };
}

export function unconfiguredTierUsers(): TierUsersPort {
  return { usersByTier: fail('tier_users_not_configured', 'No source of tier users is configured.') };
}

export function unconfiguredDominoApi(): DominoApiPort {
  const missing = fail(
    'domino_api_not_configured',
    "Domino's API is not configured (DOMINO_API_URL and DOMINO_API_KEY); the AMI test cannot start a job.",
  );
  return {
    startJob: missing,
    getJobStatus: missing,
    stopJob: missing,
    listHardwareTiers: fail(
      'domino_api_not_configured',
      "Domino's API is not configured (DOMINO_API_URL and DOMINO_API_KEY); the hardware tiers of the node pools cannot be read.",
    ),
    listActiveRuns: fail(
      'domino_api_not_configured',
      "Domino's API is not configured (DOMINO_API_URL and DOMINO_API_KEY); the runs on the node pools cannot be listed.",
    ),
  };
}
