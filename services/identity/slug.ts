import { basename } from 'node:path';

/** `My_Cool Project` → `my-cool-project`; `SpecKitty` → `spec-kitty`. May return "". */
export function kebabCase(text: string): string {
  return text
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/([a-z0-9])([A-Z])/g, '$1-$2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1-$2')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
}

export const isSlug = (value: unknown): value is string =>
  typeof value === 'string' && /^[a-z0-9]+(?:-[a-z0-9]+)*$/.test(value);

/**
 * The repository name in a remote URL: the last path segment without `.git`. Handles
 * scp-like `git@host:owner/repo.git`, `ssh://git@host:2222/owner/repo.git`, https with or
 * without `.git` and a trailing slash, `file://` URLs and local paths (either slash).
 */
export function repoNameFromRemote(url: string): string {
  let rest = url.trim().replace(/[?#].*$/, '');
  rest = rest.replace(/[\\/]+$/, '').replace(/\.git$/i, '').replace(/[\\/]+$/, '');
  const segments = rest.split(/[\\/:]/);
  return segments[segments.length - 1] ?? '';
}

/** The project's slug: from the origin remote if there is one, else the folder name; never empty. */
export function deriveSlug(root: string, originUrl: string | null): string {
  const fromRemote = originUrl ? kebabCase(repoNameFromRemote(originUrl)) : '';
  return fromRemote || kebabCase(basename(root)) || 'project';
}
