/** Reading the README's copy-paste examples, so tests run them exactly as written. */
import { expect } from 'vitest';

/** The body of the first fenced block of `language` after `heading` in `readme`. */
export function codeBlockAfter(readme: string, heading: string, language: string): string {
  const start = readme.indexOf(heading);
  expect(start, `README has a section "${heading}"`).toBeGreaterThanOrEqual(0);
  const open = readme.indexOf('```' + language + '\n', start);
  expect(open).toBeGreaterThan(start);
  const body = open + language.length + 4;
  return readme.slice(body, readme.indexOf('```', body));
}
