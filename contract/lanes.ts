/** The lanes a work package moves through, in order (DESIGN §4). Plain constants: cheap to import. */
export const WP_LANES = ['planned', 'doing', 'for_review', 'done'] as const;
export type Lane = (typeof WP_LANES)[number];
