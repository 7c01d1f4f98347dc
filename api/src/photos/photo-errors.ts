import { ApiError } from "../errors.js";

/** An upload that claims to be a supported image but cannot be decoded (truncated, corrupt, or a decompression bomb). */
export class InvalidImageError extends ApiError {
  readonly status = 422;
  readonly code = "invalid_image";
}
