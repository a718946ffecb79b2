package dev.kiln.annotations;

/** How {@link RandomTranslation} and {@link RandomZoom} sample between pixels (Keras's {@code interpolation}). */
public enum Interpolation {
  /** Weighted by distance from the four neighbouring pixels (Keras's default). */
  BILINEAR,
  /** The nearest pixel (ties to the even index). */
  NEAREST
}
