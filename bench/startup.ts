import { CLI, compareToBareNode, type Ratio, wallMs } from './measure.js';

/** `spec-kitty --version` against bare node (DESIGN §7: ≤ 1.3). */
export function benchVersion(runs = 21): Ratio {
  return compareToBareNode('spec-kitty --version', 1.3, runs, () => wallMs([CLI, '--version']));
}
