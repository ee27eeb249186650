// "owner/name" of a GitHub remote URL, read from the URL alone (no network).

const FORMS: readonly RegExp[] = [
  /^https:\/\/(?:[^@/]+@)?github\.com\/([A-Za-z0-9][A-Za-z0-9-]*)\/([A-Za-z0-9_.-]+?)(?:\.git)?\/?$/,
  /^ssh:\/\/git@github\.com(?::\d+)?\/([A-Za-z0-9][A-Za-z0-9-]*)\/([A-Za-z0-9_.-]+?)(?:\.git)?\/?$/,
  /^git@github\.com:([A-Za-z0-9][A-Za-z0-9-]*)\/([A-Za-z0-9_.-]+?)(?:\.git)?$/,
];

/**
 * The repository a GitHub remote URL points at, or null for anything else
 * (another host, a local path, a malformed URL).
 * @example
 * githubRepoOf('git@github.com:acme/widgets.git'); // → 'acme/widgets'
 */
export function githubRepoOf(url: string): string | null {
  for (const form of FORMS) {
    const match = form.exec(url.trim());
    if (match?.[1] !== undefined && match[2] !== undefined && match[2] !== '.' && match[2] !== '..') return `${match[1]}/${match[2]}`;
  }
  return null;
}
