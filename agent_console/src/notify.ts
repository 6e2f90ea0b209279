/**
 * Getting an agent's attention: a short WebAudio beep (no sound file to load),
 * the tab title's count, and desktop notifications while the tab is hidden.
 * Permission is asked only when the agent clicks the button offering it.
 */
let audio: AudioContext | null = null;
let muted = readMuted();

function readMuted(): boolean {
  try {
    return localStorage.getItem('papo.console.muted') === '1';
  } catch {
    return false;
  }
}

export function isMuted(): boolean {
  return muted;
}

export function setMuted(value: boolean): void {
  muted = value;
  try {
    localStorage.setItem('papo.console.muted', value ? '1' : '0');
  } catch {
    /* private mode */
  }
}

/** Browsers only start audio after a gesture: call from the first click or key. */
export function unlockAudio(): void {
  const Ctx = window.AudioContext || (window as unknown as { webkitAudioContext?: typeof AudioContext }).webkitAudioContext;
  if (!Ctx) return;
  if (!audio) {
    try {
      audio = new Ctx();
    } catch {
      return;
    }
  }
  if (audio.state === 'suspended') void audio.resume();
}

export let beeps = 0;

export function beep(kind: 'chat' | 'message' = 'message'): void {
  beeps++;
  document.documentElement.dataset.beeps = String(beeps);
  if (muted || !audio || audio.state !== 'running') return;
  const now = audio.currentTime;
  const tones = kind === 'chat' ? [660, 880] : [880];
  tones.forEach((freq, i) => {
    const osc = audio!.createOscillator();
    const gain = audio!.createGain();
    osc.type = 'sine';
    osc.frequency.value = freq;
    const t0 = now + i * 0.16;
    gain.gain.setValueAtTime(0.0001, t0);
    gain.gain.exponentialRampToValueAtTime(0.2, t0 + 0.02);
    gain.gain.exponentialRampToValueAtTime(0.0001, t0 + 0.14);
    osc.connect(gain).connect(audio!.destination);
    osc.start(t0);
    osc.stop(t0 + 0.15);
  });
}

export function notificationsSupported(): boolean {
  return typeof Notification !== 'undefined';
}

export function needsPermission(): boolean {
  return notificationsSupported() && Notification.permission === 'default';
}

export async function askPermission(): Promise<NotificationPermission | 'unsupported'> {
  if (!notificationsSupported()) return 'unsupported';
  return Notification.requestPermission();
}

/** A desktop notification, only while the tab is hidden; clicking focuses the console. */
export function desktop(title: string, body: string, tag: string, onClick?: () => void): void {
  if (!notificationsSupported() || Notification.permission !== 'granted' || !document.hidden) return;
  try {
    const n = new Notification(title, { body, tag });
    n.onclick = () => {
      window.focus();
      onClick?.();
      n.close();
    };
  } catch {
    /* some platforms only allow notifications from a service worker */
  }
}
