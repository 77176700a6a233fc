// Ids and secrets the benchmark apps and their drivers share (none is real).
export const BENCH_SECRET = 'bench-signing-secret-0123456789';
export const BENCH_TOKEN = 'xoxb-bench_not_a_real_token';
export const BENCH_ADMIN = 'U0ADMIN01';
export const BENCH_CHANNEL = 'C0OPS00001';
export const BENCH_BOT_IDS = { botId: 'B0BENCH', botUserId: 'U0BENCH' };
