import test, { type TestFn } from 'ava';
import { CHROMIUM, hasChromium } from './dashboard-helpers.js';

let said = false;

/**
 * `test`, or `test.skip` (with the reason printed once) when there is no chromium: CI installs
 * it (`apt-get install chromium`); a developer's machine may not have it.
 */
export function browserTest(): TestFn {
  if (hasChromium) return test;
  if (!said) {
    said = true;
    console.log(`dashboard browser tests skipped: no chromium at ${CHROMIUM} (apt-get install chromium, or set SPEC_KITTY_CHROMIUM)`);
  }
  return test.skip as unknown as TestFn;
}
