import { useEffect, useId, useState } from "react";
import { useTranslation } from "react-i18next";

const PHOTO_TYPES = "image/jpeg,image/png,image/webp";

/**
 * A labelled file input for one photo, with a preview of the picked file. `resetKey` changing clears it (after an
 * upload). The preview's object URL is released when it is replaced or the picker goes away.
 */
export function PhotoPicker({
  label,
  onChange,
  resetKey,
}: {
  label: string;
  onChange: (file: File | undefined) => void;
  resetKey: number;
}) {
  const { t } = useTranslation();
  const id = useId();
  const [preview, setPreview] = useState<string | undefined>();
  useEffect(() => () => (preview === undefined ? undefined : URL.revokeObjectURL(preview)), [preview]);
  useEffect(() => setPreview(undefined), [resetKey]);
  return (
    <div className="photo-picker">
      <label htmlFor={id}>{label}</label>
      <input
        key={resetKey}
        id={id}
        type="file"
        accept={PHOTO_TYPES}
        onChange={(event) => {
          const file = event.target.files?.[0];
          setPreview(file === undefined ? undefined : URL.createObjectURL(file));
          onChange(file);
        }}
      />
      {preview !== undefined && (
        <img src={preview} alt={t("disputes.photoPreview")} className="product-thumb" width={80} height={80} />
      )}
    </div>
  );
}
