export const CONFIG_TABLE_BEGIN = '<!-- config-table:begin -->';
export const CONFIG_TABLE_END = '<!-- config-table:end -->';

/** Replaces what stands between two marker lines, keeping the markers. */
export function replaceBetween(text: string, begin: string, end: string, replacement: string): string {
  const start = text.indexOf(begin);
  const stop = text.indexOf(end);
  if (start < 0 || stop < start) throw new Error(`markers ${begin} … ${end} not found`);
  return text.slice(0, start + begin.length) + '\n' + replacement + text.slice(stop);
}
