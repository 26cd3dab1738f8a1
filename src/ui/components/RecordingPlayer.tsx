import { useEffect, useState } from 'preact/hooks';
import { formatDuration } from '../../client/call/machine.ts';
import type { RecordingRecord } from '../../client/store/db.ts';
import { useT } from '../i18n/index.ts';

const EXTENSIONS: Record<string, string> = { 'audio/webm': 'webm', 'audio/ogg': 'ogg', 'audio/mp4': 'm4a' };

function fileName(recording: RecordingRecord): string {
  const ext = EXTENSIONS[recording.mimeType.split(';')[0] ?? ''] ?? 'audio';
  const day = new Date(recording.createdAt).toISOString().slice(0, 10);
  // The recording's own id: a call recorded twice gives two files.
  return `bfp-call-${day}-${recording.id}.${ext}`;
}

/** A stored call recording: play it here or download it. */
export function RecordingPlayer({ recording, peerName }: { recording: RecordingRecord; peerName: string }) {
  const [url, setUrl] = useState<string | null>(null);
  const t = useT();
  useEffect(() => {
    const next = URL.createObjectURL(recording.audio);
    setUrl(next);
    return () => URL.revokeObjectURL(next);
  }, [recording.audio]);
  if (!url) return null;
  return (
    <div class="recording">
      <p>{t('recording.summary', { duration: formatDuration(recording.durationMs), size: Math.max(1, Math.round(recording.size / 1024)) })}</p>
      <audio controls preload="metadata" src={url} aria-label={t('recording.label', { name: peerName })} />
      <a href={url} download={fileName(recording)}>
        {t('recording.download')}
      </a>
    </div>
  );
}
