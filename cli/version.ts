declare const __SPEC_KITTY_VERSION__: string;

/** Injected by the bundler from package.json; source runs (tests) see a dev marker. */
export const VERSION = typeof __SPEC_KITTY_VERSION__ === 'string' ? __SPEC_KITTY_VERSION__ : '0.0.0-dev';
