// Proof photos for a form: "Take photo" opens the phone's camera (a file input with capture), "Live camera"
// takes one in the page; either way the photo is made small on the phone (photo.ts) before the form has it.
import { useSignal } from "@preact/signals";
import { useEffect, useMemo } from "preact/hooks";
import { CameraStill } from "./CameraStill";
import "./camera.css";
import { downscalePhoto } from "./photo";

export interface PhotoFieldProps {
  /** Unique on the page. */
  id: string;
  /** The fieldset's legend: "Photo of the parcel". */
  label: string;
  hint?: string;
  photos: readonly Blob[];
  onChange(photos: Blob[]): void;
  /** Photos kept at most (the server takes 10). */
  max?: number;
}

export function PhotoField(props: PhotoFieldProps) {
  const max = props.max ?? 3;
  const busy = useSignal(false);
  const error = useSignal<string | null>(null);
  const live = useSignal(false);
  const canUseLiveCamera = typeof navigator !== "undefined" && Boolean(navigator.mediaDevices?.getUserMedia);

  async function add(files: FileList | null) {
    const chosen = [...(files ?? [])].slice(0, Math.max(0, max - props.photos.length));
    if (chosen.length === 0) return;
    busy.value = true;
    error.value = null;
    try {
      const small = await Promise.all(chosen.map((file) => downscalePhoto(file)));
      props.onChange([...props.photos, ...small]);
    } catch (failure) {
      console.error("A photo could not be read.", failure);
      error.value = "That photo could not be read. Try taking it again.";
    } finally {
      busy.value = false;
    }
  }

  const full = props.photos.length >= max;
  return (
    <fieldset class="photo-field" data-testid={`${props.id}-photos`}>
      <legend>{props.label}</legend>
      {props.hint && <p class="muted">{props.hint}</p>}
      {props.photos.length > 0 && (
        <ul class="photo-thumbs">
          {props.photos.map((photo, index) => (
            <li key={index}>
              <Thumb photo={photo} alt={`Photo ${index + 1}`} />
              <button
                type="button"
                class="button button-secondary photo-remove"
                aria-label={`Remove photo ${index + 1}`}
                onClick={() => props.onChange(props.photos.filter((_, i) => i !== index))}
              >
                Remove
              </button>
            </li>
          ))}
        </ul>
      )}
      {!full && !live.value && (
        <div class="photo-actions">
          <label class="button button-secondary photo-take">
            <input
              class="visually-hidden"
              type="file"
              accept="image/*"
              capture="environment"
              data-testid={`${props.id}-photo-input`}
              onChange={(event) => {
                const input = event.currentTarget;
                void add(input.files).finally(() => (input.value = ""));
              }}
            />
            Take photo
          </label>
          {canUseLiveCamera && (
            <button type="button" class="button button-secondary" onClick={() => (live.value = true)}>
              Live camera
            </button>
          )}
        </div>
      )}
      {live.value && !full && (
        <CameraStill
          onCapture={(photo) => props.onChange([...props.photos, photo])}
          onClose={() => (live.value = false)}
        />
      )}
      <p role="status" class="muted">
        {busy.value ? "Preparing the photo…" : full ? `${max} photos: that is the most one proof keeps.` : ""}
      </p>
      {error.value && (
        <p class="form-error" role="alert">
          {error.value}
        </p>
      )}
    </fieldset>
  );
}

function Thumb(props: { photo: Blob; alt: string }) {
  const url = useMemo(() => URL.createObjectURL(props.photo), [props.photo]);
  useEffect(() => () => URL.revokeObjectURL(url), [url]);
  return <img class="photo-thumb" src={url} alt={props.alt} width={96} height={96} />;
}
