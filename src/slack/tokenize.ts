/**
 * Splits slash-command text into words, honouring "double", 'single' and Slack's “smart” quotes
 * (Slack clients often turn typed quotes into curly ones).
 */
export function tokenize(text: string): string[] {
  const normalized = text.replace(/[\u201C\u201D\u201E]/g, '"').replace(/[\u2018\u2019]/g, "'");
  const words: string[] = [];
  let current = '';
  let quote: string | undefined;
  let inWord = false;
  for (const char of normalized) {
    if (quote) {
      if (char === quote) quote = undefined;
      else current += char;
    } else if (char === '"' || char === "'") {
      quote = char;
      inWord = true;
    } else if (/\s/.test(char)) {
      if (inWord) words.push(current);
      current = '';
      inWord = false;
    } else {
      current += char;
      inWord = true;
    }
  }
  if (inWord) words.push(current);
  return words;
}
