// A pickup's or a return's QR as the server draws it (an SVG document), on white, big enough to scan from the
// phone's screen. If it does not load, the code in letters above it is what the counter types.
import { useSignal } from "@preact/signals";
import { useEffect } from "preact/hooks";

export function QrImage(props: { src: string; alt: string; testId: string }) {
  const failed = useSignal(false);
  useEffect(() => {
    failed.value = false;
  }, [props.src]);

  if (failed.value) return <p class="muted">The QR code did not load: show the code above instead.</p>;
  return (
    <img
      class="track-qr"
      src={props.src}
      alt={props.alt}
      width={256}
      height={256}
      data-testid={props.testId}
      onError={() => (failed.value = true)}
    />
  );
}
