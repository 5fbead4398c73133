/** The event could not be made durable: the command must say so and exit non-zero. */
export class PersistError extends Error {
  constructor(message: string, readonly plugin: string | null, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'PersistError';
  }
}

/** Bad pipeline configuration; names the plugin and the file it came from. */
export class PluginConfigError extends Error {
  constructor(readonly plugin: string, readonly file: string, detail: string, options?: { cause?: unknown }) {
    super(`plugin "${plugin}" (${file}): ${detail}`, options);
    this.name = 'PluginConfigError';
  }
}

/**
 * A failure the user can act on: printed without a stack trace, exits with `exitCode`. `code` is
 * the stable code of a `--json` command's error object; by default `usage` for exit 2, else `failed`.
 */
export class UserError extends Error {
  constructor(message: string, readonly exitCode = 1, readonly code?: string) {
    super(message);
    this.name = 'UserError';
  }
}

export const messageOf = (err: unknown): string => (err instanceof Error ? err.message : String(err));
