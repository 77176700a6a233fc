import { zonedParts } from './zoned-parts.js';

/** Human durations for Slack: 45 s, 3 min 20 s, 1 h 05 min. */
export function formatDuration(ms: number): string {
  const seconds = Math.max(0, Math.round(ms / 1000));
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return seconds % 60 === 0 ? `${minutes} min` : `${minutes} min ${seconds % 60} s`;
  const hours = Math.floor(minutes / 60);
  return `${hours} h ${String(minutes % 60).padStart(2, '0')} min`;
}

/** Cuts text to `max` chars, saying so, so Block Kit limits are never exceeded silently. */
export function truncate(text: string, max: number, note = '… (cut)'): string {
  if (text.length <= max) return text;
  return `${text.slice(0, Math.max(0, max - note.length))}${note}`;
}

/** The last `max` chars of a long output (errors are at the end of logs). */
export function tail(text: string, max: number): string {
  if (text.length <= max) return text;
  return `…${text.slice(text.length - max + 1)}`;
}

export function plural(count: number, one: string, many = `${one}s`): string {
  return `${count} ${count === 1 ? one : many}`;
}

/** The words with a capital first letter, for a heading or a sentence's start (`node groups` → `Node groups`). */
export function capitalise(words: string): string {
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** A wall-clock reading in the configured zone, e.g. `2026-12-01 02:00 UTC`. */
export function formatWhen(at: Date, timeZone: string): string {
  const parts = zonedParts(at, timeZone);
  return `${parts.year}-${parts.month}-${parts.day} ${parts.hour}:${parts.minute} ${timeZone}`;
}
