import {
  AsyncParallelHook, AsyncSeriesBailHook, AsyncSeriesHook, AsyncSeriesWaterfallHook, SyncHook,
} from 'tapable';
import type { Envelope } from '../contract/index.js';
import type { EmitContext } from './emit-context.js';

/** Why a guard dropped an event; a guard bails by returning a reason string. */
export interface DropInfo {
  plugin: string;
  reason: string;
}

export interface BusHooks {
  enrich: AsyncSeriesWaterfallHook<[Envelope, EmitContext]>;
  guard: AsyncSeriesBailHook<[Envelope, EmitContext], string | DropInfo | undefined | void>;
  persist: AsyncSeriesHook<[Envelope, EmitContext]>;
  deliver: AsyncParallelHook<[Envelope, EmitContext]>;
  /** A prepared event's change is made: it becomes sendable. A failure rejects the emit. */
  commit: AsyncSeriesHook<[Envelope, EmitContext]>;
  /** A prepared event's change was not made: it is forgotten. A failure is logged; recovery retries. */
  discard: AsyncSeriesHook<[Envelope, EmitContext]>;
  emitted: SyncHook<[Envelope, EmitContext]>;
  dropped: SyncHook<[Envelope, DropInfo, EmitContext]>;
  /** Lifecycle (sync runtime): first emit, flush before exit, stop; numbers are deadlines (epoch ms). */
  start: AsyncSeriesHook<[]>;
  flush: AsyncSeriesHook<[number]>;
  stop: AsyncSeriesHook<[number]>;
}

export type HookName = keyof BusHooks;

/** Observers: called synchronously, so they can only be tapped with `tap`. */
export const SYNC_HOOKS: ReadonlySet<HookName> = new Set(['emitted', 'dropped']);

export function createHooks(): BusHooks {
  return {
    enrich: new AsyncSeriesWaterfallHook(['envelope', 'context']),
    guard: new AsyncSeriesBailHook(['envelope', 'context']),
    persist: new AsyncSeriesHook(['envelope', 'context']),
    deliver: new AsyncParallelHook(['envelope', 'context']),
    commit: new AsyncSeriesHook(['envelope', 'context']),
    discard: new AsyncSeriesHook(['envelope', 'context']),
    emitted: new SyncHook(['envelope', 'context']),
    dropped: new SyncHook(['envelope', 'drop', 'context']),
    start: new AsyncSeriesHook([]),
    flush: new AsyncSeriesHook(['deadline']),
    stop: new AsyncSeriesHook(['deadline']),
  };
}
