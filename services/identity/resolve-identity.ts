import { realpathSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { parseDocument } from 'yaml';
import { UserError, messageOf } from '../../core/errors.js';
import type { Logger } from '../../lib/logger.js';
import { KITTIFY_DIR, findProjectRoot } from './project-root.js';
import type { ProjectIdentity } from '../../core/services.js';
import { writeFileAtomic } from '../../lib/atomic-write.js';
import { CONFIG_HEADER, configPath, describeNode, positionOf, rawProject, readConfig, salvageUuid, type ConfigRead } from './config-file.js';
import { setProjectFields } from './config-edit.js';
import { canonicalRemote, originOf, type Origin } from './git-origin.js';
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

type OriginOnce = () => Origin | null;

/** The identity of the project around `cwd`, or null outside any project. */
export async function resolveIdentity(cwd: string, options: ResolveOptions): Promise<IdentityOutcome | null> {
  const root = findProjectRoot(cwd);
  return root ? resolveIdentityAt(root, options) : null;
}

/**
 * Reads `.kittify/config.yaml` under `root`; fills in missing fields and repairs a broken
 * file under the project lock, re-reading first so concurrent first runs agree on one uuid.
 * A checkout that cannot be written gets an in-memory identity that is the same on every run
 * and for every user, and is the one a later `init` saves (derivedUuid).
 */
export async function resolveIdentityAt(root: string, options: ResolveOptions): Promise<IdentityOutcome> {
  const file = configPath(root);
  const first = read(file);
  const ready = complete(root, first);
  if (ready) return { identity: ready, wrote: null };

  const origin = once(() => originOf(root));
  if (first.kind === 'directory') return { identity: inMemory(root, file, first, `${file} is a directory, not a file`, MOVE_FOLDER, origin, options), wrote: null };
  const denied = readOnlyReason(join(root, KITTIFY_DIR)) ?? (first.kind === 'missing' ? null : readOnlyReason(file));
  if (denied) return { identity: inMemory(root, file, first, denied, WRITABLE, origin, options), wrote: null };
  try {
    return await withKittifyLock(root, () => {
      const current = read(file);
      const done = complete(root, current);
      if (done) return { identity: done, wrote: null };
      if (current.kind === 'directory') return { identity: inMemory(root, file, current, `${file} is a directory, not a file`, MOVE_FOLDER, origin, options), wrote: null };
      return repair(root, file, current, origin, options);
    });
  } catch (err) {
    if (!isWriteDenied(err)) throw err;
    return { identity: inMemory(root, file, read(file), messageOf(err), WRITABLE, origin, options), wrote: null };
  }
}

/** What to do, said after "cannot save the project identity: <reason>. Using project uuid …". */
const WRITABLE = 'make .kittify/ writable and run "spec-kitty init" to save it';
const MOVE_FOLDER = 'move that folder out of the way (nothing in it is changed) and run "spec-kitty init" to save it';

function read(file: string): ConfigRead {
  try {
    return readConfig(file);
  } catch (err) {
    throw new UserError(`cannot read ${file}: ${messageOf(err)}; make it readable (nothing was changed).`);
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
function slugFrom(raw: unknown, root: string, origin: OriginOnce): string {
  if (isSlug(raw)) return raw;
  return (typeof raw === 'string' && kebabCase(raw)) || deriveSlug(root, origin()?.url ?? null);
}

/**
 * The uuid of a project whose file holds none: name-based, from the canonical origin remote
 * (plus the project's folder inside the repository, when it is not the top) or, without an
 * origin, from the project's real path. A read-only checkout uses it in memory, and `init`
 * saves the same one once it can write, so the project's events never split across two uuids.
 */
export function derivedUuid(root: string, origin: Origin | null): { uuid: string; from: string } {
  if (origin) {
    const inside = relative(realpath(origin.top), realpath(root)).split(sep).join('/');
    const source = `origin ${canonicalRemote(origin.url)}${inside && !inside.startsWith('..') ? ` ${inside}` : ''}`;
    return { uuid: nameUuid(`spec-kitty project ${source}`), from: `derived from the repository ${source}` };
  }
  const path = realpath(root);
  return { uuid: nameUuid(`spec-kitty project path ${path}`), from: `derived from the project's path ${path}` };
}

/** What is wrong with the file, at file:line:column, when it must be kept aside before it is changed. */
interface Problem {
  /** `<file>:<line>:<column>: <what is wrong>`. */
  where: string;
  /** A uuid found in what is being replaced, or null. */
  salvaged: string | null;
  /** True when the whole file is replaced (unparsable, or not a mapping at the top). */
  wholeFile: boolean;
}

function problemOf(file: string, config: ConfigRead): Problem | null {
  if (config.kind === 'corrupt') {
    const { line, column, message } = config.problem;
    return { where: `${file}:${line}:${column}: ${message}`, salvaged: salvageUuid(config.text), wholeFile: true };
  }
  if (config.kind !== 'ok') return null;
  const p = rawProject(config.doc);
  if (!p.isMapping) {
    const { line, column } = positionOf(config.text, p.projectNode);
    return {
      where: `${file}:${line}:${column}: "project" is ${describeNode(p.projectNode)}, not a mapping of uuid, slug and node_id`,
      salvaged: salvageUuid(String(config.doc.get('project') ?? '')), wholeFile: false,
    };
  }
  if (p.uuid !== undefined && p.uuid !== null && !isUuid(p.uuid)) {
    const { line, column } = positionOf(config.text, p.uuidNode);
    return { where: `${file}:${line}:${column}: project.uuid ${JSON.stringify(p.uuid)} is not a uuid`, salvaged: salvageUuid(String(p.uuid)), wholeFile: false };
  }
  return null;
}

/** The uuid this file gives the project: its valid uuid, or one recovered from a broken one, or null. */
function uuidInFile(file: string, config: ConfigRead): string | null {
  if (config.kind === 'ok') {
    const p = rawProject(config.doc);
    if (isUuid(p.uuid)) return p.uuid;
  }
  return problemOf(file, config)?.salvaged ?? null;
}

function repair(root: string, file: string, config: Exclude<ConfigRead, { kind: 'directory' }>, origin: OriginOnce, options: ResolveOptions): IdentityOutcome {
  const problem = problemOf(file, config);
  const aside = problem ? keepAside(file) : null;
  const known = uuidInFile(file, config);
  const derived = known ? null : derivedUuid(root, origin());
  const uuid = known ?? derived!.uuid;

  // An unparsable file (or one that is not a mapping) is kept aside and replaced by a new one.
  const fresh = config.kind !== 'ok' || problem?.wholeFile;
  const text = fresh ? CONFIG_HEADER : config.text;
  const doc = fresh ? parseDocument(CONFIG_HEADER, { keepSourceTokens: true }) : config.doc;
  const p = fresh ? { isMapping: true } as ReturnType<typeof rawProject> : rawProject(doc);
  const slug = slugFrom(p.slug, root, origin);
  const nodeId = isNodeId(p.node_id) ? p.node_id : options.nodeId();
  (options.writeFile ?? writeFileAtomic)(file, setProjectFields(text, doc, { uuid, slug, node_id: nodeId }));

  // Said only once the new file is written: a failed write falls back to the in-memory identity.
  if (problem && aside) {
    const how = problem.salvaged ? 'recovered from it' : derived ? derived.from : 'from the file';
    options.logger.warn(problem.wholeFile
      ? `${problem.where}; kept it as ${aside}, ${problem.salvaged ? `recovered project uuid ${problem.salvaged}` : `found no project uuid in it (now ${uuid}, ${how})`} and wrote a valid config.`
      : `${problem.where}; kept the file as ${aside} and wrote project uuid ${uuid} (${how}) in place of that value; the rest of the file is unchanged.`);
  }
  return { identity: identity(root, uuid, slug, nodeId, true), wrote: config.kind === 'missing' ? 'created' : 'updated' };
}

function inMemory(root: string, file: string, config: ConfigRead, reason: string, fix: string, origin: OriginOnce, { logger, nodeId }: ResolveOptions): ProjectIdentity {
  const problem = problemOf(file, config);
  if (problem) logger.warn(`${problem.where}; it is left as it is.`);
  const raw = config.kind === 'ok' && !problem?.wholeFile ? rawProject(config.doc) : {};
  const known = uuidInFile(file, config);
  const derived = known ? null : derivedUuid(root, origin());
  const uuid = known ?? derived!.uuid;
  const from = derived ? `${derived.from}: the same on every run and for every user, and the uuid "spec-kitty init" saves` : 'from the file, the same on every run';
  logger.warn(`cannot save the project identity: ${reason}. Using project uuid ${uuid} (${from}) without saving it; ${fix}.`);
  const slug = slugFrom('slug' in raw ? raw.slug : undefined, root, origin);
  return identity(root, uuid, slug, 'node_id' in raw && isNodeId(raw.node_id) ? raw.node_id : nodeId(), false);
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
