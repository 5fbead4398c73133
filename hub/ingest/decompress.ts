import { gunzip } from 'node:zlib';
import { promisify } from 'node:util';

const gunzipAsync = promisify(gunzip) as (buffer: Buffer, options: { maxOutputLength: number; chunkSize: number }) => Promise<Buffer>;

// zlib's default 16 KiB output chunks make a 1 MiB batch some sixty callbacks and copies on the
// main thread; 64 KiB chunks halve the CPU a batch costs to unpack.
const CHUNK_BYTES = 64 * 1024;

export class TooLargeError extends Error {
  constructor(readonly limit: number) {
    super(`the request body is larger than ${limit} bytes once decompressed`);
    this.name = 'TooLargeError';
  }
}

export class BadEncodingError extends Error {
  constructor(detail: string) {
    super(`the request body is not valid gzip: ${detail}`);
    this.name = 'BadEncodingError';
  }
}

/**
 * A request body as sent (gzip or identity), decompressed to at most `limit` bytes: zlib stops
 * as soon as the output passes the cap, so a gzip bomb costs the hub `limit` bytes, no more.
 */
export async function decodeBody(body: Buffer, encoding: string | undefined, limit: number): Promise<Buffer> {
  const coding = (encoding ?? 'identity').trim().toLowerCase();
  if (coding === 'identity' || coding === '') {
    if (body.length > limit) throw new TooLargeError(limit);
    return body;
  }
  if (coding !== 'gzip' && coding !== 'x-gzip') throw new BadEncodingError(`unsupported Content-Encoding "${encoding}" (send gzip or none)`);
  try {
    return await gunzipAsync(body, { maxOutputLength: limit, chunkSize: CHUNK_BYTES });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') throw new TooLargeError(limit);
    throw new BadEncodingError((error as Error).message);
  }
}
