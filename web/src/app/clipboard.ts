// The async Clipboard API works here because the page is served from
// 127.0.0.1/localhost, which browsers treat as a secure context.
export async function copyText(text: string): Promise<boolean> {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    return false;
  }
}
