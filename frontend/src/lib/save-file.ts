// Saves bytes the page holds as a file download. The object URL is revoked a little later, not at
// once: some browsers start reading it only after the click returns.

export function saveFile(name: string, blob: Blob): void {
  const url = URL.createObjectURL(blob);
  Object.assign(document.createElement("a"), { href: url, download: name }).click();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
