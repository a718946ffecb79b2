package dev.kiln.annotations;

/** Which flips {@link RandomFlip} draws (Keras's {@code mode}). */
public enum FlipMode {
  /** Left-right, with probability 1/2. */
  HORIZONTAL,
  /** Upside down, with probability 1/2. */
  VERTICAL,
  /** Each of the two, independently, with probability 1/2. */
  HORIZONTAL_AND_VERTICAL
}
