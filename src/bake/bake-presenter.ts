import type { DeploymentKind } from '../config.js';
import type { ChatContent } from '../ports/chat.js';
import type { SimTime } from '../ports/clock.js';
import type { AmiInventorySummary } from '../review/review-report.js';
import type { Reply } from '../shared/reply.js';
import type { Text } from '../shared/text.js';
import type { BakeRecord } from './bake-record.js';

/** One deployment's AMIs in numbers on the App Home, or why they could not be read. */
export interface HomeAmiSummary {
  deployment: string;
  summary?: AmiInventorySummary;
  /** The price the cost estimate uses (USD per GB-month), said beside it. */
  pricePerGbMonth: number;
  note?: string;
}

/** What the App Home shows one user: the recent bakes (the view and the admin rule are the chat's). */
export interface HomeData {
  userId: string;
  bakes: BakeRecord[];
  /** The AMI lifecycle's summary per deployment (absent when the bot cannot read what is in use). */
  amis?: HomeAmiSummary[];
  now: Date;
  sandbox: boolean;
  simSpeed?: SimTime;
  /** The kinds of the configured deployments, so the page says what ami-bot rolls out here. */
  kinds?: DeploymentKind[];
}

/**
 * How the bake's messages look, implemented by `slack/bake-presenter.ts` with the pure Block Kit builders: the
 * bake says what happened (a record, a Text), never how a chat marks it up.
 */
export interface BakePresenter {
  /** The bake's root message: who, what, every step with its state (with its buttons). */
  card(bake: BakeRecord, now: Date, options: { sandbox: boolean }): ChatContent;
  /** The same card as an answer to one person (no buttons: actions belong on the shared message). */
  cardReply(bake: BakeRecord, now: Date, options: { sandbox: boolean }): Reply;
  /** The running and recent bakes. */
  list(bakes: BakeRecord[], now: Date): Reply;
  /** The thread reply when the AMI is available, with the next steps as buttons. */
  amiReady(input: { bakeId: string; imageId: string; imageName: string; testTier?: string }): ChatContent;
  /** A line of the bake's thread, or an answer. */
  content(text: Text): ChatContent;
}
