// Shared by the text tests: a synthetic two-class corpus as CSV.

/**
 * The corpus's own fixed generator (mulberry32). The corpus is test data, so it does not come from
 * the library under test: the thresholds the text tests assert were set on exactly this corpus,
 * and a change to the library's Generator must not change it. The library itself draws every
 * random number from tensor/random.ts.
 */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A synthetic two-class corpus: each text mixes 3-5 topic words of its class with filler words. */
export function corpusCsv(n: number): string {
  const rng = mulberry32(7);
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(rng() * xs.length)];
  const work = ['invoice', 'meeting', 'project', 'report', 'schedule', 'team', 'review', 'budget', 'agenda', 'minutes'];
  const spam = ['prize', 'winner', 'free', 'offer', 'click', 'cash', 'bonus', 'deal', 'lottery', 'viagra'];
  const filler = ['the', 'a', 'and', 'to', 'of', 'we', 'you', 'this', 'today', 'now', 'for', 'with', 'is', 'our'];
  const rows = ['id,text,label'];
  for (let i = 0; i < n; i++) {
    const label = rng() < 0.4 ? 'spam' : 'ham';
    const topic = label === 'spam' ? spam : work;
    const words: string[] = [];
    const k = 3 + Math.floor(rng() * 3);
    for (let j = 0; j < k; j++) words.push(pick(topic));
    for (let j = 0; j < 6 + Math.floor(rng() * 8); j++) words.splice(Math.floor(rng() * (words.length + 1)), 0, pick(filler));
    if (rng() < 0.1) words.push(pick(label === 'spam' ? work : spam));
    rows.push(`${i},"${words.join(' ')} #${i}",${label}`);
  }
  return `${rows.join('\n')}\n`;
}

/** Texts of many lengths: empty, one word, longer than maxLength, unknown words. */
export const VARIED_TEXTS = [
  'click now for a free cash prize winner',
  '',
  'meeting',
  'the project meeting agenda and budget review with the team today and the minutes of our report now',
  'zzz qqq unknown words only',
  'free free free offer deal',
  'invoice',
];
