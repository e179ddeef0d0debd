/**
 * A Lua module written in TypeScript: `local stats = require "textstats"`
 * in Lua finds textstats.js next to the app. Lua strings arrive as JS
 * strings (valid UTF-8) and JS values go back as Lua values: arrays become
 * sequences, objects tables with string keys.
 */
import { defineLuaModule, multi } from 'moonbridge-lua';

export default defineLuaModule({
  /** Words of a text, most frequent first: { {word=..., count=...}, ... }. */
  top(text: string, n: number): Array<{ word: string; count: number }> {
    const counts = new Map<string, number>();
    for (const word of text.toLowerCase().match(/\p{L}+/gu) ?? []) counts.set(word, (counts.get(word) ?? 0) + 1);
    return [...counts].map(([word, count]) => ({ word, count }))
      .sort((a, b) => b.count - a.count || a.word.localeCompare(b.word)).slice(0, n);
  },
  /** Two results: the number of characters (not bytes) and of lines. */
  size(text: string): unknown {
    return multi([...text].length, text === '' ? 0 : text.split('\n').length);
  },
});
