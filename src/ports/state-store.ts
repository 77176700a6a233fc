/** The bot's own database: every repository, as one store the composition root opens and closes. */

import type { BakeRepo } from '../bake/bake-repo.js';
import type { PruneRepo } from '../lifecycle/prune-repo.js';
import type { ReviewRepo } from '../review/review-repo.js';
import type { TickRepo } from '../review/tick-repo.js';
import type { AmiTestRepo } from '../rollout/ami-test-repo.js';
import type { AuditRepo } from '../rollout/audit-repo.js';
import type { ChangeRepo } from '../rollout/change-repo.js';
import type { NotificationRepo } from '../rollout/notification-repo.js';
import type { LockRepo } from '../shared/lock-repo.js';
import type { DeliveryRepo } from '../slack/delivery-repo.js';

export interface StateStore {
  bakes: BakeRepo;
  locks: LockRepo;
  changes: ChangeRepo;
  amiTests: AmiTestRepo;
  audit: AuditRepo;
  notifications: NotificationRepo;
  ticks: TickRepo;
  reviews: ReviewRepo;
  deliveries: DeliveryRepo;
  /** AMI prunes (issue 16). */
  prunes: PruneRepo;
  /** True when the store's database answers (readiness probe). */
  ping(): Promise<boolean>;
  close(): Promise<void>;
}
