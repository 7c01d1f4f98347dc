import sharp from "sharp";

import { UnsupportedMediaTypeError } from "../errors.js";
import { InvalidImageError } from "./photo-errors.js";
import type { PhotoSize } from "./photo-store.js";

/** Longest side of each rendition, in pixels; smaller originals are never enlarged. */
export const PHOTO_RENDITION_EDGES: Readonly<Record<PhotoSize, number>> = { thumbnail: 320, display: 1280 };

/** Beyond this many pixels an upload is refused before decoding: a small file can claim a huge canvas. */
const MAX_INPUT_PIXELS = 50_000_000;

const ACCEPTED = ["jpeg", "png", "webp"] as const;
type AcceptedFormat = (typeof ACCEPTED)[number];

export interface ProcessedPhoto {
  renditions: Record<PhotoSize, Buffer>;
  /** Size of the display rendition. */
  width: number;
  height: number;
}

/** The image format the bytes start with, by their magic number; the file name and declared type are not trusted. */
export function sniffImageFormat(bytes: Buffer): AcceptedFormat | undefined {
  if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return "jpeg";
  if (bytes.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) return "png";
  if (bytes.toString("latin1", 0, 4) === "RIFF" && bytes.toString("latin1", 8, 12) === "WEBP") return "webp";
  return undefined;
}

/**
 * Checks an uploaded photo and re-encodes it to WebP renditions: orientation applied, metadata (EXIF, GPS) dropped,
 * never upscaled. Throws UnsupportedMediaTypeError (415) for anything but JPEG, PNG or WebP and InvalidImageError
 * (422) for an image that does not decode cleanly.
 */
export async function processPhoto(bytes: Buffer): Promise<ProcessedPhoto> {
  const format = sniffImageFormat(bytes);
  if (format === undefined) {
    throw new UnsupportedMediaTypeError("Only JPEG, PNG and WebP photos are accepted", { accepted: ACCEPTED });
  }
  const open = () => sharp(bytes, { failOn: "warning", limitInputPixels: MAX_INPUT_PIXELS });
  try {
    const metadata = await open().metadata();
    if (metadata.format !== format) {
      throw new InvalidImageError(`The file starts like ${format} but is not a valid ${format} image`);
    }
    const render = (edge: number) =>
      open()
        .autoOrient()
        .resize({ width: edge, height: edge, fit: "inside", withoutEnlargement: true })
        .webp({ quality: 82 })
        .toBuffer({ resolveWithObject: true });
    const [thumbnail, display] = await Promise.all([
      render(PHOTO_RENDITION_EDGES.thumbnail),
      render(PHOTO_RENDITION_EDGES.display),
    ]);
    return {
      renditions: { thumbnail: thumbnail.data, display: display.data },
      width: display.info.width,
      height: display.info.height,
    };
  } catch (error) {
    if (error instanceof InvalidImageError) throw error;
    // sharp reports decoding failures as plain Errors; anything it could not read is the upload's fault.
    throw new InvalidImageError(`The ${format} image could not be decoded`, {
      reason: error instanceof Error ? error.message : String(error),
    });
  }
}
