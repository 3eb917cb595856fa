/** At most this many edits apart for a guess (as commander guesses for the errors it writes itself). */
const MAX_DISTANCE = 3;
/** A guess must share more than this fraction of the longer word. */
const MIN_SIMILARITY = 0.4;

/**
 * ` (Did you mean serve?)` for the closest candidates to a mistyped command or option, or '' when none is close.
 * The rule is commander's own (optimal string alignment distance, at most 3 edits, more than 40 % alike), so the
 * errors this program writes read like the ones commander writes for subcommands.
 */
export function suggestSimilar(word: string, candidates: readonly string[]): string {
  const isOption = word.startsWith('--');
  const bare = (text: string) => (isOption ? text.replace(/^--/, '') : text);
  let best = MAX_DISTANCE;
  let similar: string[] = [];
  for (const candidate of new Set(candidates)) {
    const name = bare(candidate);
    if (name.length <= 1) continue;
    const distance = editDistance(bare(word), name);
    const length = Math.max(bare(word).length, name.length);
    if ((length - distance) / length <= MIN_SIMILARITY) continue;
    if (distance < best) {
      best = distance;
      similar = [candidate];
    } else if (distance === best) similar.push(candidate);
  }
  similar.sort((a, b) => a.localeCompare(b));
  if (similar.length > 1) return ` (Did you mean one of ${similar.join(', ')}?)`;
  return similar.length === 1 ? ` (Did you mean ${similar[0]}?)` : '';
}

/** Damerau–Levenshtein distance, each substring edited at most once. */
function editDistance(a: string, b: string): number {
  if (Math.abs(a.length - b.length) > MAX_DISTANCE) return Math.max(a.length, b.length);
  // d(i, j): the distance between the first i characters of a and the first j of b, row by row.
  const width = b.length + 1;
  const d = new Array<number>((a.length + 1) * width).fill(0);
  const at = (i: number, j: number) => d[i * width + j] ?? 0;
  for (let i = 0; i <= a.length; i++) d[i * width] = i;
  for (let j = 0; j <= b.length; j++) d[j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let value = Math.min(at(i - 1, j) + 1, at(i, j - 1) + 1, at(i - 1, j - 1) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        value = Math.min(value, at(i - 2, j - 2) + 1);
      }
      d[i * width + j] = value;
    }
  }
  return at(a.length, b.length);
}
