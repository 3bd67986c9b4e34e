// A lab's images sit behind the credential like every /api route, and an
// <img src> cannot send it (the page keeps it out of cookies on purpose). So
// rendered Markdown names each image in a data attribute, and this fetches
// it with the credential and shows it from a blob: URL.
import { getBlob } from '../api/http.js';

/** Attribute render-markdown puts the asset's API path in. */
export const LAB_ASSET_ATTR = 'data-lab-asset';

/** Only the lab asset route is ever fetched from Markdown, whatever the attribute says. */
const ASSET_PATH = /^\/api\/labs\/[a-z0-9][a-z0-9-]{0,62}\/assets\/[^?#\\]+$/;

/** Loads every lab image under `root`; the returned function releases them. */
export function loadLabImages(root: HTMLElement, signal: AbortSignal): () => void {
  const urls: string[] = [];
  for (const img of root.querySelectorAll<HTMLImageElement>(`img[${LAB_ASSET_ATTR}]`)) {
    const path = img.getAttribute(LAB_ASSET_ATTR) ?? '';
    if (!ASSET_PATH.test(path)) continue;
    getBlob(path, signal)
      .then((blob) => {
        if (signal.aborted || !blob.type.startsWith('image/')) return;
        const url = URL.createObjectURL(blob);
        urls.push(url);
        img.src = url;
      })
      .catch(() => {
        // A missing image shows its alt text, as a broken <img> would.
      });
  }
  return () => {
    for (const url of urls) URL.revokeObjectURL(url);
  };
}
