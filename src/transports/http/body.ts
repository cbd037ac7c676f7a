/**
 * Reads an HTTP request body (RFC 9112 §6; Node's parser handles Content-Length and chunked
 * framing) with a size limit that holds after decoding too: `Content-Encoding: gzip`, `deflate`
 * (RFC 9110 §8.4.1: zlib-wrapped; a raw DEFLATE stream, which some clients send, is accepted as
 * well) or `identity`. A body over the limit stops being read at once (a gzip bomb never
 * inflates past it).
 */
import type { IncomingMessage } from 'node:http';
import { createGunzip, createInflate, createInflateRaw } from 'node:zlib';
import type { Transform } from 'node:stream';

/** Why a body could not be read; `status` is the HTTP answer for it. */
export class BodyError extends Error {
  constructor(readonly status: 400 | 413 | 415, message: string) {
    super(message);
  }
}

/**
 * The whole body of `req`, decoded.
 * @param maxBytes largest body, bytes (compressed and decoded alike)
 * @returns the decoded body and its size on the wire (bytes)
 * @throws BodyError 413 (over `maxBytes`), 415 (an unknown Content-Encoding), 400 (a corrupt
 *   compressed stream); the connection's own error (aborted, timeout) as it is
 */
export function readBody(req: IncomingMessage, maxBytes: number): Promise<{ body: Buffer; wireBytes: number }> {
  const encoding = (req.headers['content-encoding'] ?? 'identity').trim().toLowerCase();
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > maxBytes) return Promise.reject(tooLarge(maxBytes));
  if (encoding !== 'identity' && encoding !== '' && encoding !== 'gzip' && encoding !== 'x-gzip' && encoding !== 'deflate') {
    return Promise.reject(new BodyError(415, `Content-Encoding ${encoding} is not supported (use gzip, deflate or none)`));
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let wire = 0;
    let size = 0;
    let done = false;
    let inflater: Transform | null = null;
    const fail = (e: Error): void => {
      if (done) return;
      done = true;
      inflater?.destroy();
      req.removeListener('data', onData);
      // stop reading: the caller answers and the connection is not reused
      req.pause();
      reject(e);
    };
    const keep = (b: Buffer): void => {
      size += b.length;
      if (size > maxBytes) fail(tooLarge(maxBytes));
      else chunks.push(b);
    };
    const finish = (): void => {
      if (done) return;
      done = true;
      resolve({ body: chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, size), wireBytes: wire });
    };
    const onData = (b: Buffer): void => {
      wire += b.length;
      if (wire > maxBytes) { fail(tooLarge(maxBytes)); return; }
      if (encoding === 'gzip' || encoding === 'x-gzip' || encoding === 'deflate') {
        if (inflater === null) {
          // deflate: a zlib header (CMF 0x?8, RFC 1950 §2.2) or else a raw DEFLATE stream
          const z: Transform = encoding === 'deflate' ? ((b[0] & 0x0f) === 8 && ((b[0] << 8) | (b[1] ?? 0)) % 31 === 0 ? createInflate() : createInflateRaw()) : createGunzip();
          z.on('data', keep);
          z.on('error', (e) => fail(new BodyError(400, `the ${encoding} body is corrupt: ${e.message}`)));
          z.on('end', finish);
          inflater = z;
        }
        inflater.write(b);
      } else keep(b);
    };
    req.on('data', onData);
    req.on('end', () => {
      if (inflater !== null) inflater.end();
      else finish();
    });
    req.on('error', fail);
    req.on('aborted', () => fail(new Error('the client aborted the request')));
  });
}

function tooLarge(maxBytes: number): BodyError {
  return new BodyError(413, `the request body is larger than limits.maxHttpBodyBytes (${maxBytes} bytes)`);
}
