// A PDF plan's first page as a PNG, in the browser (the API stores PNG or
// JPEG only). pdf.js is large (~300 kB gzip with its worker), so it is
// imported only when someone picks a PDF: the first-screen budget stays.

/** Longest side of the rendered page: sharp on a site-office TV, small enough to upload on a phone network. */
const MAX_SIDE = 3000;

export async function pdfFirstPageToPng(file: File): Promise<File> {
  const [pdfjs, worker] = await Promise.all([import('pdfjs-dist'), import('pdfjs-dist/build/pdf.worker.min.mjs?url')]);
  pdfjs.GlobalWorkerOptions.workerSrc = worker.default;
  // No eval (the app's CSP forbids it) and no fetches for fonts from elsewhere.
  const doc = await pdfjs.getDocument({ data: new Uint8Array(await file.arrayBuffer()), isEvalSupported: false, useSystemFonts: true }).promise;
  try {
    const page = await doc.getPage(1);
    const base = page.getViewport({ scale: 1 });
    const scale = Math.min(4, MAX_SIDE / Math.max(base.width, base.height));
    const viewport = page.getViewport({ scale });
    const canvas = document.createElement('canvas');
    canvas.width = Math.round(viewport.width);
    canvas.height = Math.round(viewport.height);
    const ctx = canvas.getContext('2d');
    if (!ctx) throw new Error('no 2d canvas');
    // A plan's paper is white; a transparent page would show the app's background.
    ctx.fillStyle = '#ffffff';
    ctx.fillRect(0, 0, canvas.width, canvas.height);
    await page.render({ canvas, canvasContext: ctx, viewport }).promise;
    const blob = await new Promise<Blob | null>((resolve) => canvas.toBlob(resolve, 'image/png'));
    if (!blob) throw new Error('no PNG');
    return new File([blob], file.name.replace(/\.pdf$/i, '') + '.png', { type: 'image/png' });
  } finally {
    await doc.destroy();
  }
}
