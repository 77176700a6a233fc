import type { ChatContent } from '../ports/chat.js';
import type { Text } from '../shared/text.js';
import type { ImageSuggestion } from './image-suggestion.js';

/** The image selection's messages, rendered by the chat layer (slack/selection-presenter.ts). */
export interface SelectionPresenter {
  /** The chosen list, each image's shares, what was left out and why, and the diff against the current AMI. */
  suggestion(suggestion: ImageSuggestion): ChatContent;
  /** No suggestion: why, and the configured list the bake uses instead. */
  fallback(reason: Text, images: readonly string[]): ChatContent;
  /** `/ami suggest`: the suggestion, saying that nothing was baked and how to bake it. */
  preview(suggestion: ImageSuggestion): ChatContent;
  /** `/ami suggest` without a suggestion: why, and the configured list `--images auto` would bake instead. */
  previewFallback(deployment: string, reason: Text, images: readonly string[]): ChatContent;
  /** The reply to the admin, with a line saying the bake fell back (or what was chosen) before it. */
  withNote(reply: ChatContent, note: Text): ChatContent;
}
