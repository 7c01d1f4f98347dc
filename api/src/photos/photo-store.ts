import { mkdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import path from "node:path";

/** The two renditions kept of every photo, both WebP. */
export const PHOTO_SIZES = ["thumbnail", "display"] as const;
export type PhotoSize = (typeof PHOTO_SIZES)[number];

/** A photo key: random, URL-safe, and never a path (no dots or slashes), so it cannot escape the store. */
export const PHOTO_KEY_PATTERN = /^[a-f0-9]{32}$/;

/**
 * Where re-encoded photos live. Keys are chosen by the API, never by the uploader; a stored rendition never changes,
 * which is what lets the files be served as immutable.
 */
export interface PhotoStore {
  put(key: string, renditions: Readonly<Record<PhotoSize, Buffer>>): Promise<void>;
  /** The rendition's bytes, or undefined when there is no such photo. */
  get(key: string, size: PhotoSize): Promise<Buffer | undefined>;
  /** Removes every rendition of the photo; removing a missing photo is not an error. */
  delete(key: string): Promise<void>;
}

/** Photos as files under `dir`: `<dir>/<key[0..2]>/<key>/<size>.webp`. */
export function createDiskPhotoStore({ dir }: { dir: string }): PhotoStore {
  const root = path.resolve(dir);
  const folder = (key: string) => {
    if (!PHOTO_KEY_PATTERN.test(key)) throw new Error(`Not a photo key: ${key}`);
    return path.join(root, key.slice(0, 2), key);
  };
  return {
    async put(key, renditions) {
      const target = folder(key);
      await mkdir(target, { recursive: true });
      for (const size of PHOTO_SIZES) {
        // Written under a temporary name and renamed, so a reader never sees half a file.
        const file = path.join(target, `${size}.webp`);
        await writeFile(`${file}.partial`, renditions[size]);
        await rename(`${file}.partial`, file);
      }
    },
    async get(key, size) {
      if (!PHOTO_KEY_PATTERN.test(key)) return undefined;
      try {
        return await readFile(path.join(folder(key), `${size}.webp`));
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
        throw error;
      }
    },
    async delete(key) {
      await rm(folder(key), { recursive: true, force: true });
    },
  };
}
