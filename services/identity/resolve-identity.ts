import { randomUUID } from 'node:crypto';
import { realpathSync } from 'node:fs';
import { join } from 'node:path';
import { parseDocument, type Document } from 'yaml';
import { UserError, messageOf } from '../../core/errors.js';
import type { Logger } from '../../lib/logger.js';
import { KITTIFY_DIR, findProjectRoot } from './project-root.js';
import type { ProjectIdentity } from '../../core/services.js';
import { writeFileAtomic } from '../../lib/atomic-write.js';
import { CONFIG_HEADER, configPath, rawProject, readConfig, salvageUuid, type ConfigRead, type YamlProblem } from './config-file.js';
import { canonicalRemote, originUrl } from './git-origin.js';
import { keepAside } from './keep-aside.js';
import { withKittifyLock } from './kittify-lock.js';
import { isUuid, nameUuid } from './name-uuid.js';
import { deriveSlug, isSlug, kebabCase } from './slug.js';
import { isWriteDenied, readOnlyReason } from './write-access.js';

export interface IdentityOutcome {
  identity: ProjectIdentity;
  /** What this call did to config.yaml: created it, updated it (backfill, repair) or nothing. */
  wrote: 'created' | 'updated' | null;
}

export interface ResolveOptions {
  logger: Logger;
  /** This machine's node id: written as the creator of a new identity. */
  nodeId: () => string;
  /** How config.yaml is replaced; tests swap it to fail like a read-only mount would. */
  writeFile?: (path: string, text: string) => void;
}

const isNodeId = (v: unknown): v is string => typeof v === 'string' && /^[0-9a-f]{12}$/.test(v);

const describe = (p: YamlProblem) => `line ${p.line}, column ${p.column}: ${p.message}`;

/** The identity of the project around `cwd`, or null outside any project. */
export async function resolveIdentity(cwd: string, options: ResolveOptions): Promise<IdentityOutcome | null> {
  const root = findProjectRoot(cwd);
  return root ? resolveIdentityAt(root, options) : null;
}

/**
 * Reads `.kittify/config.yaml` under `root`; fills in missing fields and repairs a broken
 * file under the project lock, re-reading first so concurrent first runs agree on one uuid.
 * A checkout that cannot be written gets an in-memory identity that is the same on every run.
 */
export async function resolveIdentityAt(root: string, options: ResolveOptions): Promise<IdentityOutcome> {
  const file = configPath(root);
  const first = read(file);
  const ready = complete(root, first);
  if (ready) return { identity: ready, wrote: null };

  const origin = once(() => originUrl(root));
  const denied = readOnlyReason(join(root, KITTIFY_DIR)) ?? (first.kind === 'missing' ? null : readOnlyReason(file));
  if (denied) return { identity: inMemory(root, file, first, denied, origin, options), wrote: null };
  try {
    return await withKittifyLock(root, () => {
      const current = read(file);
      const done = complete(root, current);
      if (done) return { identity: done, wrote: null };
      return repair(root, file, current, origin, options);
    });
  } catch (err) {
    if (!isWriteDenied(err)) throw err;
    return { identity: inMemory(root, file, read(file), messageOf(err), origin, options), wrote: null };
  }
}

function read(file: string): ConfigRead {
  try {
    return readConfig(file);
  } catch (err) {
    throw new UserError(`cannot read ${file}: ${messageOf(err)}`);
  }
}

function identity(root: string, uuid: string, slug: string, nodeId: string, persisted: boolean): ProjectIdentity {
  return { project_uuid: uuid.toLowerCase(), project_slug: slug, node_id: nodeId, root, persisted };
}

function complete(root: string, config: ConfigRead): ProjectIdentity | null {
  if (config.kind !== 'ok') return null;
  const p = rawProject(config.doc);
  return isUuid(p.uuid) && isSlug(p.slug) && isNodeId(p.node_id) ? identity(root, p.uuid, p.slug, p.node_id, true) : null;
}

/** A slug as written if it is one, its kebab-case if that is not empty, else derived. */
function slugFrom(raw: unknown, root: string, origin: () => string | null): string {
  if (isSlug(raw)) return raw;
  return (typeof raw === 'string' && kebabCase(raw)) || deriveSlug(root, origin());
}

function repair(root: string, file: string, config: ConfigRead, origin: () => string | null, options: ResolveOptions): IdentityOutcome {
  let doc: Document;
  let salvaged: string | null = null;
  // Said only once the new file is written: a failed write falls back to the in-memory identity.
  let notice: string | null = null;
  if (config.kind === 'missing') {
    doc = parseDocument(CONFIG_HEADER);
  } else if (config.kind === 'corrupt') {
    const aside = keepAside(file);
    salvaged = salvageUuid(config.text);
    notice = `${file} is not valid YAML (${describe(config.problem)}); kept it as ${aside}, ` +
      `${salvaged ? `recovered project uuid ${salvaged}` : 'found no project uuid in it'} and wrote a valid config.`;
    doc = parseDocument(CONFIG_HEADER);
  } else {
    doc = config.doc;
    const p = rawProject(doc);
    const badUuid = p.uuid !== undefined && p.uuid !== null && !isUuid(p.uuid);
    if (!p.isMapping || badUuid) {
      const aside = keepAside(file);
      const what = p.isMapping ? `project.uuid ${JSON.stringify(p.uuid)} is not a uuid` : '"project" is not a mapping';
      if (!p.isMapping) salvaged = salvageUuid(String(doc.get('project') ?? ''));
      notice = `${file}: ${what}; kept the file as ${aside} and wrote a new project identity.`;
    }
  }

  const p = rawProject(doc);
  if (!p.isMapping || doc.get('project') == null) doc.set('project', doc.createNode({}));
  const uuid = isUuid(p.uuid) ? p.uuid : salvaged ?? randomUUID();
  const slug = slugFrom(p.slug, root, origin);
  const nodeId = isNodeId(p.node_id) ? p.node_id : options.nodeId();
  if (p.uuid !== uuid) doc.setIn(['project', 'uuid'], uuid);
  if (p.slug !== slug) doc.setIn(['project', 'slug'], slug);
  if (p.node_id !== nodeId) doc.setIn(['project', 'node_id'], nodeId);
  (options.writeFile ?? writeFileAtomic)(file, doc.toString());
  if (notice) options.logger.warn(notice);
  return { identity: identity(root, uuid, slug, nodeId, true), wrote: config.kind === 'missing' ? 'created' : 'updated' };
}

function inMemory(root: string, file: string, config: ConfigRead, reason: string, origin: () => string | null, { logger, nodeId }: ResolveOptions): ProjectIdentity {
  let raw: { uuid?: unknown; slug?: unknown; node_id?: unknown } = {};
  if (config.kind === 'ok') raw = rawProject(config.doc);
  if (config.kind === 'corrupt') {
    raw = { uuid: salvageUuid(config.text) };
    logger.warn(`${file} is not valid YAML (${describe(config.problem)}); it is left as it is.`);
  }
  const remote = origin();
  const source = remote ? `origin ${canonicalRemote(remote)}` : `path ${realpath(root)}`;
  const uuid = isUuid(raw.uuid) ? raw.uuid : nameUuid(`spec-kitty project ${source}`);
  const from = isUuid(raw.uuid) ? 'from the file' : `derived from the repository ${source}`;
  logger.warn(`cannot save the project identity: ${reason}. Using project uuid ${uuid} (${from}, the same on every run) ` +
    'without saving it; make .kittify/ writable and run "spec-kitty init" to save it.');
  const slug = slugFrom(raw.slug, root, origin);
  return identity(root, uuid, slug, isNodeId(raw.node_id) ? raw.node_id : nodeId(), false);
}

function realpath(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return path;
  }
}

function once<T>(fn: () => T): () => T {
  let done = false;
  let value: T;
  return () => {
    if (!done) { value = fn(); done = true; }
    return value;
  };
}
