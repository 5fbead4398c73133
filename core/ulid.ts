import { monotonicFactory } from 'ulid';

/** Monotonic within the process: two ids made in the same millisecond still sort in order. */
export const newUlid: () => string = monotonicFactory();
