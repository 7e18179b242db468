import { useEffect, useRef, useState } from 'react';
import { formatCountdown } from '../format';

/** A live "expires in" text that ticks every second and calls onExpired once when `to` passes. */
export function Countdown({ to, onExpired }: { to: Date; onExpired?: () => void }) {
  const [now, setNow] = useState(() => new Date());
  const fired = useRef(false);
  const target = to.getTime();
  // Keyed on the instant, not the Date object: a reload that returns the same ValidTo (the browser's clock may run
  // ahead of the service's) must not fire onExpired again and again.
  useEffect(() => {
    fired.current = false;
    const timer = window.setInterval(() => setNow(new Date()), 1000);
    return () => window.clearInterval(timer);
  }, [target]);
  const text = formatCountdown(to, now);
  useEffect(() => {
    if (text === 'expired' && !fired.current) {
      fired.current = true;
      onExpired?.();
    }
  }, [text, onExpired]);
  return <span data-testid="material-countdown">{text === 'expired' ? 'Expired' : `Expires in ${text}`}</span>;
}
