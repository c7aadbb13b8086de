import { useEffect, useRef, useState } from 'react';
import { useI18n } from '../../shared/i18n';

export type CameraProblem = 'denied' | 'none' | 'failed';

/** What getUserMedia's refusal means for the person at the gate. */
export function cameraProblem(e: unknown): CameraProblem {
  const name = (e as { name?: string })?.name;
  if (name === 'NotAllowedError' || name === 'SecurityError') return 'denied';
  if (name === 'NotFoundError' || name === 'OverconstrainedError' || !navigator.mediaDevices?.getUserMedia) return 'none';
  return 'failed';
}

/** Frames are scaled down to this width before decoding: enough for a pass's QR at arm's length, cheap on a tablet. */
const DECODE_WIDTH = 640;
const FRAME_GAP_MS = 120;

/**
 * The rear camera, read until a QR code is found. The decoder (jsQR, pure
 * JavaScript) is loaded only when the camera opens, so the gate list stays
 * light. Stops the camera when it unmounts.
 */
export function Scanner({ onScan, onProblem }: { onScan: (text: string) => void; onProblem: (p: CameraProblem) => void }) {
  const { t } = useI18n();
  const video = useRef<HTMLVideoElement>(null);
  const [live, setLive] = useState(false);
  // The latest callbacks, without restarting the camera when they change.
  const handlers = useRef({ onScan, onProblem });
  useEffect(() => {
    handlers.current = { onScan, onProblem };
  });

  useEffect(() => {
    let stream: MediaStream | null = null;
    let timer: number | undefined;
    let stopped = false;
    const canvas = document.createElement('canvas');
    const ctx = canvas.getContext('2d', { willReadFrequently: true });

    (async () => {
      try {
        if (!navigator.mediaDevices?.getUserMedia) throw Object.assign(new Error('no camera API'), { name: 'NotFoundError' });
        const [media, decoder] = await Promise.all([
          navigator.mediaDevices.getUserMedia({ video: { facingMode: { ideal: 'environment' } }, audio: false }),
          import('jsqr'),
        ]);
        stream = media;
        if (stopped) {
          // Closed while the camera was starting: the cleanup has run already.
          media.getTracks().forEach((track) => track.stop());
          return;
        }
        const v = video.current;
        if (!v || !ctx) return;
        v.srcObject = media;
        await v.play();
        setLive(true);
        const jsQR = decoder.default;
        const tick = () => {
          if (stopped) return;
          if (v.readyState >= v.HAVE_CURRENT_DATA && v.videoWidth > 0) {
            const scale = Math.min(1, DECODE_WIDTH / v.videoWidth);
            canvas.width = Math.round(v.videoWidth * scale);
            canvas.height = Math.round(v.videoHeight * scale);
            ctx.drawImage(v, 0, 0, canvas.width, canvas.height);
            const image = ctx.getImageData(0, 0, canvas.width, canvas.height);
            const found = jsQR(image.data, image.width, image.height, { inversionAttempts: 'dontInvert' });
            if (found?.data) {
              handlers.current.onScan(found.data);
              return;
            }
          }
          timer = window.setTimeout(tick, FRAME_GAP_MS);
        };
        tick();
      } catch (e) {
        if (!stopped) handlers.current.onProblem(cameraProblem(e));
      }
    })();

    return () => {
      stopped = true;
      window.clearTimeout(timer);
      stream?.getTracks().forEach((track) => track.stop());
    };
  }, []);

  return (
    <div className="scanner">
      <video ref={video} className="scanner-video" muted playsInline aria-label={t('scan.video')} />
      <p role="status" className="scanner-status">
        {live ? t('scan.hint') : t('scan.starting')}
      </p>
    </div>
  );
}
