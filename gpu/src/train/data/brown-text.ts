/**
 * Rebuilds readable text from a Brown corpus file (form C: `word/tag` tokens, one sentence a line,
 * a tab before each paragraph's first sentence).
 */

/** How a token attaches to its neighbours. */
type Attachment = 'word' | 'opening' | 'closing';

interface Piece {
  readonly text: string;
  readonly attachment: Attachment;
}

/** Punctuation written against the word before it. */
const CLOSING_PUNCTUATION = new Set([',', '.', ';', ':', '?', '!', ')', ']', '}']);
/** Punctuation written against the word after it. */
const OPENING_PUNCTUATION = new Set(['(', '[', '{']);

/** The word of a `word/tag` token: everything before the last slash (words may hold slashes: 1/2). */
export function stripTag(token: string): string {
  const slash = token.lastIndexOf('/');
  return slash > 0 ? token.slice(0, slash) : token;
}

function tagOf(token: string): string {
  const slash = token.lastIndexOf('/');
  return slash > 0 ? token.slice(slash + 1) : '';
}

/** Headline tags carry `-hl` (nn-hl, np$-hl, .-hl). */
function isHeadline(tokens: readonly string[]): boolean {
  const headlineTokens = tokens.filter((token) => tagOf(token).split('-').includes('hl')).length;
  return headlineTokens * 2 >= tokens.length;
}

/**
 * A paragraph's words as pieces: `` and '' become a double quote that opens or closes; a lone
 * single quote has no direction in the corpus, so the first in a paragraph opens, the next closes.
 */
function toPieces(words: readonly string[]): Piece[] {
  let singleQuoteOpen = false;
  return words.map((word): Piece => {
    if (word === '``') return { text: '"', attachment: 'opening' };
    if (word === "''") return { text: '"', attachment: 'closing' };
    if (word === "'") {
      singleQuoteOpen = !singleQuoteOpen;
      return { text: word, attachment: singleQuoteOpen ? 'opening' : 'closing' };
    }
    if (CLOSING_PUNCTUATION.has(word)) return { text: word, attachment: 'closing' };
    if (OPENING_PUNCTUATION.has(word)) return { text: word, attachment: 'opening' };
    return { text: word, attachment: 'word' };
  });
}

/** Joins pieces with one space, except after an opening piece and before a closing one. */
function joinPieces(pieces: readonly Piece[]): string {
  let text = '';
  let previous: Attachment | undefined;
  for (const piece of pieces) {
    const spaced =
      previous !== undefined && previous !== 'opening' && piece.attachment !== 'closing';
    text += (spaced ? ' ' : '') + piece.text;
    previous = piece.attachment;
  }
  return text;
}

/**
 * The text of one tagged Brown file: tags stripped, case and punctuation kept, `` and '' as ",
 * sentences of a paragraph joined by a space, paragraphs (and headlines, each its own paragraph)
 * separated by a blank line, no trailing newline.
 */
export function brownTaggedToText(tagged: string): string {
  const paragraphs: string[][] = [];
  let previousWasHeadline = false;
  for (const line of tagged.split('\n')) {
    const tokens = line.trim().split(/\s+/).filter(Boolean);
    if (tokens.length === 0) continue;
    const headline = !/^\s/.test(line) && isHeadline(tokens);
    const startsParagraph = /^\s/.test(line) || headline || previousWasHeadline;
    if (startsParagraph || paragraphs.length === 0) paragraphs.push([]);
    paragraphs.at(-1)!.push(...tokens.map(stripTag));
    previousWasHeadline = headline;
  }
  return paragraphs.map((words) => joinPieces(toPieces(words))).join('\n\n');
}
