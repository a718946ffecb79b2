package dev.kiln.annotations;

/**
 * Weight initializers, with Keras's definitions (fan_in and fan_out of a dense kernel are its
 * input and output widths). All are drawn from the model's seeded generator, so a seed
 * reproduces the same weights on every JVM.
 */
public enum Initializer {
  /** Truncated normal (2 standard deviations), stddev sqrt(2 / fan_in). */
  HE_NORMAL,
  /** Uniform in [-l, l], l = sqrt(6 / fan_in). */
  HE_UNIFORM,
  /** Truncated normal, stddev sqrt(2 / (fan_in + fan_out)). */
  GLOROT_NORMAL,
  /** Uniform in [-l, l], l = sqrt(6 / (fan_in + fan_out)); Keras's default kernel initializer. */
  GLOROT_UNIFORM,
  /** Truncated normal, stddev sqrt(1 / fan_in). */
  LECUN_NORMAL,
  /** All zeros; the default bias initializer. */
  ZEROS,
  /** All ones. */
  ONES,
  /** Every value equal to the annotation's {@code ...InitValue}. */
  CONSTANT,
  /**
   * A (semi-)orthogonal matrix (Keras's {@code orthogonal}, gain 1): the Q factor of a seeded
   * normal matrix's QR decomposition, signs fixed by R's diagonal. The tensor is taken as a matrix
   * [product of its stored axes but the last, last stored axis]; the recurrent layers' default for
   * their recurrent kernel.
   */
  ORTHOGONAL,
  /** Uniform in [-0.05, 0.05) (Keras's {@code RandomUniform} defaults); the Embedding default. */
  UNIFORM
}
