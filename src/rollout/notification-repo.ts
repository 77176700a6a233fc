/** Who was told about a change, so nobody is DMed twice for it. */
export interface NotificationRepo {
  /** True for the first caller per (change, user): that caller sends the DM. */
  claim(changeId: string, userId: string, at: Date): Promise<boolean>;
  /** Gives a claim back after the DM failed, so a retry may send it. */
  release(changeId: string, userId: string): Promise<void>;
  listNotified(changeId: string): Promise<string[]>;
}
