import type { SelectionPresenter } from '../selection/selection-presenter.js';
import {
  imageFallbackMessage,
  imagePreviewFallbackMessage,
  imagePreviewMessage,
  imageSuggestionMessage,
  withNote,
} from './blocks/image-suggestion-message.js';

/** The image selection's messages in Block Kit, from the pure builders in `blocks/`. */
export function createSelectionPresenter(): SelectionPresenter {
  return {
    suggestion: imageSuggestionMessage,
    fallback: imageFallbackMessage,
    preview: imagePreviewMessage,
    previewFallback: imagePreviewFallbackMessage,
    withNote,
  };
}
