/** A setting of the web image's CSP that cannot be turned into a source a browser would honour. */
export class ContentSecurityPolicyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ContentSecurityPolicyError";
  }
}

/**
 * The Content-Security-Policy the web image sends with the app. Everything comes from the app's own origin (its
 * scripts, styles, the API under /api), but for the chain RPC the wallet code reads through (VITE_CHAIN_RPC_URL, which
 * the same build bakes into the app) and where product photos may come from besides /api/photos (a CDN in
 * PHOTO_BASE_URL). Inline styles are allowed because RainbowKit writes its theme into a <style> element; scripts
 * never run inline. Images also come from data: URLs (the wallets' icons) and blob: URLs (a photo's preview before
 * upload).
 */
export function webContentSecurityPolicy(options: { chainRpcUrl: string; imageOrigins?: readonly string[] }): string {
  const rpc = origin("VITE_CHAIN_RPC_URL", options.chainRpcUrl);
  const images = (options.imageOrigins ?? []).map((url) => origin("the photo origins", url));
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    ["img-src 'self' data: blob:", ...images].join(" "),
    "font-src 'self' data:",
    `connect-src 'self' ${rpc}`,
    "object-src 'none'",
    "frame-src 'none'",
    "frame-ancestors 'none'",
    "base-uri 'self'",
    "form-action 'self'",
  ].join("; ");
}

function origin(setting: string, value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ContentSecurityPolicyError(`${setting}: "${value}" is not a URL`);
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") {
    throw new ContentSecurityPolicyError(`${setting}: "${value}" is not an http(s) URL`);
  }
  return url.origin;
}
