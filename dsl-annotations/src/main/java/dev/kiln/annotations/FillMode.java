package dev.kiln.annotations;

/**
 * How {@link RandomTranslation} and {@link RandomZoom} fill what they sample outside the image
 * (Keras's {@code fill_mode}), shown for a row {@code a b c d}.
 */
public enum FillMode {
  /** {@code d c b a | a b c d | d c b a}: reflected about the edge of the last pixel (Keras's default). */
  REFLECT,
  /** {@code a b c d | a b c d | a b c d}: wrapped around to the opposite edge. */
  WRAP,
  /** {@code k k k k | a b c d | k k k k}: the constant {@code fillValue}. */
  CONSTANT,
  /** {@code a a a a | a b c d | d d d d}: the nearest pixel. */
  NEAREST
}
