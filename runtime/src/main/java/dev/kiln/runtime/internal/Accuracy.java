package dev.kiln.runtime.internal;

/** Which accuracy metric a loss implies, as Keras's {@code metrics=['accuracy']} chooses it. */
public enum Accuracy {
  /** Regression losses: no accuracy. */
  NONE,
  /** argmax(prediction) == argmax(one-hot target). */
  CATEGORICAL,
  /** argmax(prediction) == class index target. */
  SPARSE_CATEGORICAL,
  /** Per output: (prediction > 0.5) == (target > 0.5). */
  BINARY,
  /** Per output of a network whose outputs are logits ({@code fromLogits}): (logit > 0) == (target > 0.5). */
  BINARY_LOGITS
}
