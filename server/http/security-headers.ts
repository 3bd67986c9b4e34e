// A strict Content-Security-Policy and friends. The page is a Vite build with
// no inline scripts; xterm.js needs inline styles; the websocket is
// same-origin; lab images are fetched with the credential and shown from
// blob: URLs (an <img src> could not send it).
import type { RequestHandler } from 'express';

export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

export const securityHeaders: RequestHandler = (_req, res, next) => {
  res.setHeader('Content-Security-Policy', CONTENT_SECURITY_POLICY);
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('Referrer-Policy', 'no-referrer');
  res.setHeader('X-Frame-Options', 'DENY');
  res.setHeader('Cross-Origin-Opener-Policy', 'same-origin');
  // No other origin — another port of this host included — may embed what we
  // serve (<script>, <img>, no-cors fetch), so not even the page's own code
  // can be pulled into a foreign page.
  res.setHeader('Cross-Origin-Resource-Policy', 'same-origin');
  next();
};
