// Types of docs-options.mjs, for the test that imports it.
export interface OptionRow {
  path: string;
  type: string;
  required: boolean;
  default: string | undefined;
  description: string;
}
export interface OptionSection {
  name: string;
  path: string;
  group: string;
  root?: boolean;
  entry?: string;
  description: string;
  rows: OptionRow[];
}
export const PAGE: string;
export const GROUPS: ReadonlyArray<{ title: string; intro: string; types: readonly string[] }>;
export function defaultOf(description: string, tags?: Record<string, string>): string | undefined;
export function generateOptionsReference(
  root?: string,
): Promise<{ sections: OptionSection[]; markdown: string }>;
export function entryPoints(root?: string): Array<{ name: string; file: string }>;
