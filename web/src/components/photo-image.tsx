import type { PhotoUrls } from "../../../protocol/api/farms";

// The API renders every photo twice, fitted inside these edges (api/src/photos/process-photo.ts).
const THUMBNAIL_EDGE = 320;
const DISPLAY_EDGE = 1280;

/**
 * A catalog photo that lets the browser pick the rendition the layout needs (`sizes` says how wide it is shown), so a
 * phone loads the small one.
 */
export function PhotoImage({
  photo,
  alt,
  sizes,
  eager = false,
  width = 4,
  height = 3,
}: {
  photo: PhotoUrls;
  alt: string;
  sizes: string;
  /** The page's main image: fetched first rather than lazily. */
  eager?: boolean;
  width?: number;
  height?: number;
}) {
  return (
    <img
      className="photo"
      src={photo.thumbnailUrl}
      srcSet={`${photo.thumbnailUrl} ${THUMBNAIL_EDGE}w, ${photo.displayUrl} ${DISPLAY_EDGE}w`}
      sizes={sizes}
      alt={alt}
      width={width}
      height={height}
      // Reserves the photo's space before it arrives, so nothing below it jumps when it does.
      style={{ aspectRatio: `${width} / ${height}` }}
      loading={eager ? "eager" : "lazy"}
      fetchPriority={eager ? "high" : "auto"}
      decoding="async"
    />
  );
}
