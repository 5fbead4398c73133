/** Exit codes scripts can rely on (listed in `spec-kitty --help`). */
export const EXIT = {
  ok: 0,
  /** The command could not do what was asked: not found, refused by the rules, a broken file. */
  failure: 1,
  /** Malformed input: an unknown command or option, an invalid argument or option value. */
  usage: 2,
  /** An event could not be queued durably: nothing was recorded for it. */
  notQueued: 3,
} as const;

/**
 * The stable `code` of the error object a failing `--json` command prints on stdout:
 * `{"error":{"code":"…","message":"…"}}`. A UserError may carry a more specific code of its own.
 */
export const ERROR_CODES = {
  /** Exit 2: wrong arguments or options. */
  usage: 'usage',
  /** Exit 3: an event could not be queued (PersistError). */
  notQueued: 'not_queued',
  /** A plugin's entry in plugins.json is wrong (PluginConfigError). */
  invalidPluginConfig: 'invalid_plugin_config',
  /** An event the command built breaks the envelope contract: a bug (ContractError). */
  contractViolation: 'contract_violation',
  /** Exit 1: the command could not do what was asked (UserError), or its output could not be written. */
  failed: 'failed',
  /** Exit 1: the offline queue cannot be opened or read (a permission, a folder in its place, damage past salvage). */
  queueUnavailable: 'queue_unavailable',
  /** Exit 1: an unexpected failure, with a stack trace on stderr. */
  internal: 'internal',
} as const;
