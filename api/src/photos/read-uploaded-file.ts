import type { IncomingHttpHeaders, IncomingMessage } from "node:http";

import busboy from "busboy";

import { PayloadTooLargeError, UnsupportedMediaTypeError, ValidationError } from "../errors.js";

export interface UploadLimits {
  /** The largest file accepted, in bytes, and as shown to the client (`10mb`). */
  maxBytes: number;
  maxSizeText: string;
}

/**
 * Reads the one file of a `multipart/form-data` request from field `field`, enforcing the size limit while streaming:
 * nothing past the limit is buffered. The rest of an oversized request is still read and discarded (up to a bound),
 * so the client gets the 413 rather than a reset connection.
 */
export function readUploadedFile(
  request: IncomingMessage,
  headers: IncomingHttpHeaders,
  field: string,
  limits: UploadLimits,
): Promise<Buffer> {
  if (!/^multipart\/form-data\b/i.test(headers["content-type"] ?? "")) {
    return Promise.reject(
      new UnsupportedMediaTypeError(`Expected a multipart/form-data upload with the file in field "${field}"`),
    );
  }
  return new Promise<Buffer>((resolve, reject) => {
    let parser: busboy.Busboy;
    try {
      parser = busboy({ headers, limits: { files: 1, fileSize: limits.maxBytes, fields: 10, parts: 11 } });
    } catch (error) {
      reject(new ValidationError(`The multipart body is malformed: ${(error as Error).message}`));
      return;
    }
    const chunks: Buffer[] = [];
    let found = false;
    let failure: Error | undefined;
    let received = 0;
    const drainBound = limits.maxBytes * 2 + 1024 * 1024;

    parser.on("file", (name, stream) => {
      if (name !== field || found) {
        stream.resume();
        return;
      }
      found = true;
      stream.on("data", (chunk: Buffer) => chunks.push(chunk));
      stream.on("limit", () => {
        failure ??= new PayloadTooLargeError(limits.maxSizeText);
        chunks.length = 0;
      });
    });
    parser.on("error", (error: Error) => {
      request.unpipe(parser);
      reject(failure ?? new ValidationError(`The multipart body is malformed: ${error.message}`));
    });
    parser.on("close", () => {
      if (failure !== undefined) reject(failure);
      else if (!found) reject(new ValidationError(`Expected a file in the multipart field "${field}"`));
      else resolve(Buffer.concat(chunks));
    });
    request.on("data", (chunk: Buffer) => {
      received += chunk.length;
      // A client that keeps sending far past the limit is cut off rather than drained forever.
      if (received > drainBound) {
        request.unpipe(parser);
        request.destroy();
        reject(new PayloadTooLargeError(limits.maxSizeText));
      }
    });
    request.on("error", (error) => reject(error));
    request.pipe(parser);
  });
}
