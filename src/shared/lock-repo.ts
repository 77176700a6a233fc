/** Named locks of the bot's own database (template lock, change lock, orphan sweep). */

export interface LockRepo {
  /** Takes `key` for `holder`; returns undefined on success, else the current holder. Re-entrant. */
  acquire(key: string, holder: string, at: Date): Promise<string | undefined>;
  release(key: string, holder: string): Promise<void>;
  holderOf(key: string): Promise<string | undefined>;
  /** Who holds `key` and since when. */
  describe(key: string): Promise<{ holder: string; at: Date } | undefined>;
}
